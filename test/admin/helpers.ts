/**
 * Helpers shared by the admin-API tests: paths, matchers, the audit trail of one request, full
 * listings, and users written through the core verb (the admin API reads users; the dialects write them).
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Principal } from "../../src/core/principal";
import { createUser, type CreateUserInput } from "../../src/core/users/create-user";
import { deleteUser } from "../../src/core/users/delete-user";
import { openDb } from "../../src/db/client";
import { call, unique, type Reply, type Tenant } from "../harness";

export const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
export const UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** Admin base path of a tenant. */
export const base = (t: Tenant | string) => `/api/v1/tenants/${typeof t === "string" ? t : t.id}`;

/** A fresh correlation id (the header's safe alphabet), so one request's audit events can be found. */
export const corr = (label = "c") => unique(label);

/** The D1 round-trip budgets of the admin routes (docs/api/admin-api.md#round-trips, read from Server-Timing). */
export const BUDGET = { get: 1, list: 1, create: 1, patch: 2, delete: 2 } as const;

/** No body, event or header of the admin API ever carries a secret's hash. */
export function expectNoSecrets(x: unknown): void {
  const s = typeof x === "string" ? x : JSON.stringify(x);
  expect(s).not.toMatch(/secretHash|passwordHash|secret_hash|sha256\$/);
}

/** The tenant's audit events written under one correlation id. */
export async function eventsOf(t: Tenant, correlationId: string, token = t.admin): Promise<Record<string, unknown>[]> {
  const r = await call("GET", `${base(t)}/audit-events?correlationId=${encodeURIComponent(correlationId)}&limit=200`, { token, expect: 200 });
  return r.body.data;
}

/** Exactly one audit event for the request, by the tenant admin, matching `expected`; returns it. */
export async function expectOneEvent(t: Tenant, correlationId: string, expected: Record<string, unknown>, actorId = t.adminClientId) {
  const events = await eventsOf(t, correlationId);
  expect(events).toHaveLength(1);
  const e = events[0] as Record<string, unknown>;
  expect(e).toEqual({
    id: UUID,
    tenantId: t.id,
    at: ISO,
    actorId,
    customerId: null,
    correlationId,
    changes: expect.any(Object),
    ...expected,
  });
  expectNoSecrets(e);
  expect(JSON.stringify(e.changes)).not.toContain("clientSecret");
  return e;
}

/** Every item of a list, following nextCursor; asserts each page's size and that the last has no cursor. */
export async function listAll(path: string, token: string, limit = 200): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const r: Reply = await call("GET", `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token, expect: 200 });
    out.push(...r.body.data);
    cursor = r.body.nextCursor;
    if (cursor === null) return out;
    expect(r.body.data).toHaveLength(limit);
  }
  throw new Error("listAll: no end");
}

export const idsOf = (items: Record<string, unknown>[]) => items.map((i) => i.id as string);

/** A platform principal for writing users through the core verb. */
const seeder: Principal = {
  sub: "test-seeder",
  role: "platform",
  tenantId: null,
  customerId: null,
  resellerId: null,
  projectId: null,
  scopes: new Set(["users:read", "users:write", "admin"]),
  issuedAt: 0,
};

function seedCtx() {
  return { db: openDb(env.DB).db, principal: seeder, correlationId: corr("seed"), now: () => Date.now(), newId: () => crypto.randomUUID(), tokenLifetimeSeconds: 3631 };
}

/** Writes a user through the core's createUser, exactly as a dialect does. */
export async function seedUser(input: Partial<CreateUserInput> & { owner: CreateUserInput["owner"] }) {
  return createUser(
    seedCtx(),
    { firstName: "Ada", lastName: "Lovelace", email: `${unique("u").toLowerCase()}@example.com`, ...input },
    { pepper: env.PASSWORD_PEPPER },
  );
}

export async function seedDeleteUser(userId: string): Promise<void> {
  await deleteUser(seedCtx(), { userId });
}

/** A string of `n` characters. */
export const long = (n: number, ch = "x") => ch.repeat(n);
