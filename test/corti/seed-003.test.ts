/**
 * Acceptance: Corti's own curl example (seed 003, committed under test/fixtures/) sent as is, with
 * only the placeholders filled in — a real token, a real project and customer.
 *
 * This file is the only one that uses the seed's e-mail: storage is isolated per test file, and a
 * login by e-mail must be unambiguous across tenants.
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import curl from "../fixtures/corti-003-create-user.curl?raw";
import documented from "../fixtures/corti-003-create-user.response.json?raw";
import { verifyPassword } from "../../src/core/credentials/password";
import { call, dbTrips } from "../harness";
import { BUDGET, CORTI, expectNoSecrets, login, UUID, ISO, world } from "./helpers";

/** The seed's request: method, path, headers and body exactly as the curl command gives them. */
function parseCurl(text: string) {
  const method = /--request (\w+)/.exec(text)?.[1] as string;
  const url = /--url (\S+)/.exec(text)?.[1] as string;
  const headers = [...text.matchAll(/--header '([^:]+): ([^']*)'/g)].map((m) => [m[1] as string, m[2] as string] as const);
  const data = /--data '([\s\S]*?)'\s*$/.exec(text)?.[1] as string;
  return { method, path: url.replace(/^https?:\/\/[^/]+/, ""), headers, data };
}

describe("seed 003: create a user with a password", () => {
  it("the curl example as is → 201 with the documented shape; the password is kept only as a self-describing hash that verifies on login", async () => {
    const w = await world();
    const seed = parseCurl(curl);
    expect(seed.method).toBe("POST");
    expect(seed.path).toBe(`${CORTI}/projects/{projectId}/customers/{customerId}/users`);
    const sent = JSON.parse(seed.data) as { email: string; firstName: string; lastName: string; password: string };

    const path = seed.path.replace("{projectId}", w.project.key).replace("{customerId}", w.customer.key);
    const headers = Object.fromEntries(seed.headers.map(([k, v]) => [k, v.replace("<token>", w.tenant.admin)]));
    const r = await call(seed.method, path, { raw: seed.data, headers });
    expect(r.status, r.text).toBe(201);
    expect(dbTrips(r)).toBeLessThanOrEqual(BUDGET.create);

    // The documented body: the same properties, the same types; our own id, time and flags.
    const example = JSON.parse(documented) as Record<string, unknown>;
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(example).sort());
    expect(r.body).toEqual({
      id: UUID,
      email: sent.email,
      firstName: sent.firstName,
      lastName: sent.lastName,
      emailVerified: false,
      enabled: true,
      createdAt: ISO,
    });
    expectNoSecrets(r.text, sent.password);

    // Stored only as a hash, in the self-describing format, that verifies the password sent.
    const row = await env.DB.prepare("select password_hash from users where id = ?").bind(r.body.id).first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^pbkdf2-sha256\$v=1\$i=100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(row?.password_hash).not.toContain(sent.password);
    expect(await verifyPassword(sent.password, row!.password_hash, env.PASSWORD_PEPPER)).toBe(true);
    expect(await verifyPassword(`${sent.password}x`, row!.password_hash, env.PASSWORD_PEPPER)).toBe(false);

    // The audit trail records the create without the password or its hash.
    const events = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?targetId=${r.body.id}`, { token: w.tenant.admin, expect: 200 });
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0]).toMatchObject({ action: "user.created", customerId: w.customer.id, changes: { hasPassword: true } });
    expectNoSecrets(events.body, sent.password);

    // The user logs in at once, at the Corti base and at the root, as its own customer.
    for (const at of [`${CORTI}/auth/token`, "/auth/token"]) {
      const t = await login(sent.email, sent.password, at);
      expect(t.status, t.text).toBe(200);
      expect(t.body).toEqual({ accessToken: expect.any(String), tokenType: "bearer", expiresIn: 3600 });
      expect(dbTrips(t)).toBeLessThanOrEqual(BUDGET.token);
      expect(decodeJwt(t.body.accessToken)).toMatchObject({ sub: r.body.id, role: "customer", tenant_id: w.tenant.id, customer_id: w.customer.id, scope: "" });
    }
  });
});
