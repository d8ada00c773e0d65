/**
 * The OpenAPI document against what runs: every CloudCockpit route is listed under the
 * `CloudCockpit` tag with bearer security, the X-Tenant / X-Correlation-Id headers, a required JSON
 * body where it takes one, and each status the route answers (checked against real replies).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CcErrorSchema } from "../../src/dialects/cloudcockpit/errors";
import { call, type Reply } from "../harness";
import { cc, ccWorld, createCcUser, newUser, type CcWorld } from "./helpers";

interface Op {
  tags: string[];
  security: unknown[];
  parameters: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}

const COMMON = ["400", "401", "403", "404", "429", "500"];
const ROUTES: { method: string; path: string; ok: string; body: boolean }[] = [
  { method: "post", path: "/v1/customer/{customerId}/users", ok: "201", body: true },
  { method: "get", path: "/v1/customer/{customerId}/users", ok: "200", body: false },
  { method: "post", path: "/v1/reseller/{resellerId}/users", ok: "201", body: true },
  { method: "get", path: "/v1/users", ok: "200", body: false },
  { method: "get", path: "/v1/users/groups", ok: "200", body: false },
  { method: "patch", path: "/v1/users/{email}", ok: "204", body: true },
  { method: "delete", path: "/v1/users/{email}", ok: "204", body: false },
];

let doc: { paths: Record<string, Record<string, Op>> };
let w: CcWorld;
beforeAll(async () => {
  doc = (await call("GET", "/doc", { expect: 200 })).body;
  w = await ccWorld();
});

describe("/doc", () => {
  it("lists exactly these routes under /v1", () => {
    const listed = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith("/v1/"))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    expect(listed).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  for (const r of ROUTES) {
    it(`${r.method.toUpperCase()} ${r.path}: tag, security, headers, body and responses`, () => {
      const op = doc.paths[r.path]![r.method]!;
      expect(op.tags).toEqual(["CloudCockpit"]);
      expect(op.security).toEqual([{ bearerAuth: [] }]);
      expect(op.parameters.find((p) => p.name === "X-Tenant")).toMatchObject({ in: "header", required: true, schema: { type: "string" } });
      expect(op.parameters.find((p) => p.name === "X-Correlation-Id")).toMatchObject({ in: "header", required: false, schema: { type: "string", format: "uuid" } });
      if (r.body) {
        expect(op.requestBody?.required).toBe(true);
        expect(Object.keys(op.requestBody!.content)).toEqual(["application/json"]);
      } else {
        expect(op.requestBody).toBeUndefined();
      }
      // A create takes an Idempotency-Key (docs/concurrency.md): its 422 is documented, in CloudCockpit's body.
      const creates = r.method === "post";
      if (creates) expect(op.parameters.find((p) => p.name === "Idempotency-Key")).toMatchObject({ in: "header", required: false, schema: { type: "string", pattern: "^[\\x21-\\x7E]{1,255}$" } });
      else expect(op.parameters.find((p) => p.name === "Idempotency-Key")).toBeUndefined();
      // A user's PATCH and DELETE take If-Match (docs/concurrency.md): 412 and 428 are documented.
      const writes = r.method === "patch" || r.method === "delete";
      if (writes) expect(op.parameters.find((p) => p.name === "If-Match")).toMatchObject({ in: "header", required: false, schema: { type: "string" } });
      else expect(op.parameters.find((p) => p.name === "If-Match")).toBeUndefined();
      const expected = [r.ok, ...COMMON, ...(r.body ? ["413", "415"] : []), ...(creates ? ["422"] : []), ...(writes ? ["412", "428"] : [])].sort();
      expect(Object.keys(op.responses).sort()).toEqual(expected);
      for (const status of expected.filter((s) => s !== r.ok)) {
        const res = op.responses[status]!;
        if (status === "401" || status === "403") expect(res.content).toBeUndefined();
        else expect(res.content!["application/json"]!.schema.$ref).toBe("#/components/schemas/CloudCockpit_Error");
      }
    });
  }
});

describe("documented statuses against real replies", () => {
  const documented = (method: string, path: string) => Object.keys(doc.paths[path]![method]!.responses).map(Number);
  const check = (method: string, path: string, r: Reply) => {
    expect(documented(method, path)).toContain(r.status);
    if (r.status >= 400 && r.status !== 401 && r.status !== 403) CcErrorSchema.strict().parse(r.body);
  };

  it("each route's success, 400, 401, 403, 404 (and 413, 415 with a body) are documented and shaped as documented", async () => {
    const big = newUser({ firstName: "x".repeat(70_000) });
    const text = { raw: "x", headers: { "content-type": "text/plain" } };
    const sends: [string, string, () => Promise<Reply>[]][] = [
      [
        "post",
        "/v1/customer/{customerId}/users",
        () => [
          cc(w, "POST", `/customer/${w.customer.id}/users`, { body: newUser() }),
          cc(w, "POST", `/customer/${w.customer.id}/users`, { body: {} }),
          cc(w, "POST", `/customer/${w.customer.id}/users`, { token: "x", body: newUser() }),
          cc(w, "POST", `/customer/${w.sibling.id}/users`, { token: w.tokens.customer, body: newUser() }),
          cc(w, "POST", `/customer/${crypto.randomUUID()}/users`, { body: newUser() }),
          cc(w, "POST", `/customer/${w.customer.id}/users`, { body: big }),
          cc(w, "POST", `/customer/${w.customer.id}/users`, text),
        ],
      ],
      [
        "get",
        "/v1/customer/{customerId}/users",
        () => [
          cc(w, "GET", `/customer/${w.customer.id}/users`),
          cc(w, "GET", "/customer/x/users"),
          cc(w, "GET", `/customer/${w.customer.id}/users`, { token: "x" }),
          cc(w, "GET", `/customer/${w.sibling.id}/users`, { token: w.tokens.customer }),
          cc(w, "GET", `/customer/${crypto.randomUUID()}/users`),
        ],
      ],
      [
        "post",
        "/v1/reseller/{resellerId}/users",
        () => [
          cc(w, "POST", `/reseller/${w.reseller.id}/users`, { body: newUser() }),
          cc(w, "POST", `/reseller/${w.reseller.id}/users`, { body: { x: 1 } }),
          cc(w, "POST", `/reseller/${w.reseller.id}/users`, { token: "x", body: newUser() }),
          cc(w, "POST", `/reseller/${w.reseller.id}/users`, { token: w.tokens.customer, body: newUser() }),
          cc(w, "POST", `/reseller/${crypto.randomUUID()}/users`, { body: newUser() }),
          cc(w, "POST", `/reseller/${w.reseller.id}/users`, { body: big }),
          cc(w, "POST", `/reseller/${w.reseller.id}/users`, text),
        ],
      ],
      [
        "get",
        "/v1/users",
        () => [
          cc(w, "GET", "/users"),
          cc(w, "GET", "/users?pageSize=0"),
          cc(w, "GET", "/users", { token: "x" }),
          cc(w, "GET", "/users", { tenant: "elsewhere.example.com" }),
          cc(w, "GET", "/users", { token: w.tokens.platform, tenant: "elsewhere.example.com" }),
        ],
      ],
      [
        "get",
        "/v1/users/groups",
        () => [
          cc(w, "GET", "/users/groups"),
          cc(w, "GET", "/users/groups", { tenant: null }),
          cc(w, "GET", "/users/groups", { token: "x" }),
          cc(w, "GET", "/users/groups", { token: w.tokens.write.customer }),
          cc(w, "GET", "/users/groups", { token: w.tokens.platform, tenant: "elsewhere.example.com" }),
        ],
      ],
    ];
    for (const [method, path, make] of sends) {
      const replies = await Promise.all(make());
      for (const r of replies) check(method, path, r);
      const ok = method === "post" ? 201 : 200;
      expect(replies.map((r) => r.status)).toEqual(replies.length === 7 ? [ok, 400, 401, 403, 404, 413, 415] : [ok, 400, 401, 403, 404]);
    }
    const u = await createCcUser(w);
    const p = `/users/${encodeURIComponent(u.email)}`;
    const patches = [
      await cc(w, "PATCH", p, { body: { lastName: "Z" } }),
      await cc(w, "PATCH", p, { body: { lastName: null } }),
      await cc(w, "PATCH", p, { token: "x", body: {} }),
      await cc(w, "PATCH", p, { token: w.tokens.read.tenantAdmin, body: {} }),
      await cc(w, "PATCH", "/users/nobody%40example.com", { body: {} }),
      await cc(w, "PATCH", p, { body: big }),
      await cc(w, "PATCH", p, text),
    ];
    for (const r of patches) check("patch", "/v1/users/{email}", r);
    expect(patches.map((r) => r.status)).toEqual([204, 400, 401, 403, 404, 413, 415]);
    const deletes = [
      await cc(w, "DELETE", "/users/nobody"),
      await cc(w, "DELETE", p, { token: "x" }),
      await cc(w, "DELETE", p, { token: w.tokens.read.tenantAdmin }),
      await cc(w, "DELETE", p),
      await cc(w, "DELETE", p),
    ];
    for (const r of deletes) check("delete", "/v1/users/{email}", r);
    expect(deletes.map((r) => r.status)).toEqual([400, 401, 403, 204, 404]);
  });
});
