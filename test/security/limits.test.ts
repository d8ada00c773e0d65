/**
 * The limits that keep the Worker up (issue 6 §5, docs/api/README.md#bad-input): the 64 KiB body limit also for a
 * streamed body without Content-Length, list page caps, filter sets bounded under D1's 100 bound
 * parameters, and long search strings — each answered in the surface's own body, nothing written,
 * never a D1 error. Rate limits run in their own project (test/limits/).
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, call, create, freshTenant, unique, type Reply, type Tenant } from "../harness";
import { LEAKS } from "./fuzz-engine";

const KIB = 1024;

interface World {
  t: Tenant;
  project: { id: string; key: string };
  customer: { id: string; key: string };
  subrole: { id: string; code: string; label: string };
  cc: Record<string, string>;
}

let w: World;
beforeAll(async () => {
  const t = await freshTenant();
  const project = await create(t, "projects", { key: unique("p").toLowerCase(), name: "P" });
  const customer = await create(t, "customers", { name: "C", projectId: project.id, key: unique("c") });
  const s = await create(t, "subroles", { customerId: customer.id, code: "cro", label: "CRO", displayName: "CRO", permissions: [] });
  w = { t, project, customer, subrole: { id: s.id, code: s.code, label: s.label }, cc: { "x-tenant": t.domain } };
});

/**
 * Sends `json` as a stream of 4 KiB chunks with `pad` bytes of JSON whitespace before its closing
 * brace: still a valid body (it would create what it describes), but its size is unknown until the
 * end, so only a limit that counts while reading can refuse it.
 */
async function streamed(method: string, path: string, json: Record<string, unknown>, pad: number, headers: Record<string, string> = {}): Promise<Reply> {
  const text = `${JSON.stringify(json).slice(0, -1)}${" ".repeat(pad)}}`;
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 4 * KIB));
      offset += 4 * KIB;
    },
  });
  const req = new Request(`${BASE}${path}`, { method, body, headers: { "content-type": "application/json", ...headers } });
  expect(req.headers.get("content-length")).toBeNull();
  const res = await exports.default.fetch(req);
  const resText = await res.text();
  return { status: res.status, headers: res.headers, text: resText, body: /json/.test(res.headers.get("content-type") ?? "") && resText ? JSON.parse(resText) : resText };
}

function expectClean(r: Reply): void {
  for (const leak of LEAKS) expect(r.text).not.toMatch(leak);
}

describe("the 64 KiB body limit holds for a streamed body without Content-Length, on every surface", () => {
  const over = 70 * KIB;
  const under = 10 * KIB;

  it("admin API: 413 problem+json, nothing written; the same body under the limit is created", async () => {
    const name = unique("streamed");
    const path = `/api/v1/tenants/${w.t.id}/groups`;
    const r = await streamed("POST", path, { name }, over, { authorization: `Bearer ${w.t.admin}` });
    expect(r.status).toBe(413);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.body).toMatchObject({ type: "about:blank", status: 413, code: "PAYLOAD_TOO_LARGE", correlationId: r.headers.get("x-correlation-id") });
    const list = (await call("GET", `${path}?limit=200`, { token: w.t.admin, expect: 200 })).body.data as { name: string }[];
    expect(list.filter((g) => g.name === name)).toEqual([]);
    expect((await streamed("POST", path, { name }, under, { authorization: `Bearer ${w.t.admin}` })).status).toBe(201);
  });

  const userCreates = [
    {
      label: "Worth",
      path: () => `/auth/api/v1/customers/${w.customer.id}/users`,
      body: (email: string) => ({ first_name: "Big", last_name: "Body", email, subrole: w.subrole }),
      ok: 200,
      expect413: (r: Reply) => expect(r.body).toEqual({ status: "fail", message: "The request body is larger than 64 KiB.", errorCode: "INVALID", data: { errorName: "ValidationMiddlewareError" } }),
      headers: () => ({}),
    },
    {
      label: "Corti",
      path: () => `/functions/v1/public/projects/${w.project.key}/customers/${w.customer.key}/users`,
      body: (email: string) => ({ email, firstName: "Big", lastName: "Body" }),
      ok: 201,
      expect413: (r: Reply) => expect(r.body).toEqual({ message: "The request body is larger than 64 KiB.", code: "PAYLOAD_TOO_LARGE" }),
      headers: () => ({}),
    },
    {
      label: "CloudCockpit",
      path: () => `/v1/customer/${w.customer.id}/users`,
      body: (email: string) => ({ firstName: "Big", lastName: "Body", email, groups: [] }),
      ok: 201,
      expect413: (r: Reply) =>
        expect(r.body).toMatchObject({ statusCode: 413, type: "PayloadTooLarge", description: expect.any(String), correlationId: r.headers.get("x-correlation-id") }),
      headers: () => w.cc,
    },
  ];
  for (const s of userCreates) {
    it(`${s.label}: 413 in its body, no user; the same body under the limit is created`, async () => {
      const email = `${unique("big")}@limits.example.com`;
      const headers = { authorization: `Bearer ${w.t.admin}`, ...s.headers() };
      const r = await streamed("POST", s.path(), s.body(email), over, headers);
      expect(r.status, r.text).toBe(413);
      s.expect413(r);
      expectClean(r);
      const found = await call("GET", `/api/v1/tenants/${w.t.id}/users?email=${encodeURIComponent(email)}`, { token: w.t.admin, expect: 200 });
      expect(found.body.data).toEqual([]);
      expect((await streamed("POST", s.path(), s.body(email), under, headers)).status).toBe(s.ok);
    });
  }

  it("token endpoints: 413 in the OAuth body at /auth/token and in Corti's at Corti's mount; the same body under the limit is answered", async () => {
    const creds = { grant_type: "client_credentials", client_id: env.BOOTSTRAP_CLIENT_ID, client_secret: env.BOOTSTRAP_CLIENT_SECRET };
    const oauth = await streamed("POST", "/auth/token", creds, over);
    expect(oauth.status).toBe(413);
    expect(oauth.body).toEqual({ error: "invalid_request", error_description: "The request body is larger than 64 KiB." });
    expect(oauth.text).not.toContain("access_token");
    const corti = await streamed("POST", "/functions/v1/public/auth/token", creds, over);
    expect(corti.status).toBe(413);
    expect(corti.body).toEqual({ message: "The request body is larger than 64 KiB.", code: "PAYLOAD_TOO_LARGE" });
    expect((await streamed("POST", "/auth/token", creds, under)).status).toBe(200);
  });
});

describe("list page caps, on every surface", () => {
  const problem = (r: Reply, field: string) => {
    expect(r.status, r.text).toBe(400);
    expect(r.body).toMatchObject({ status: 400, code: "INVALID" });
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  };

  it("admin API: limit above 200 → 400 on every list; 200 → 200", async () => {
    const lists = ["/api/v1/tenants", ...["projects", "resellers", "customers", "subroles", "groups", "accounts", "users", "audit-events"].map((k) => `/api/v1/tenants/${w.t.id}/${k}`)];
    for (const path of lists) {
      problem(await call("GET", `${path}?limit=201`, { token: w.t.admin }), "limit");
      problem(await call("GET", `${path}?limit=100000000000000000000`, { token: w.t.admin }), "limit");
      const ok = await call("GET", `${path}?limit=200`, { token: w.t.admin });
      expect(ok.status, `${path}: ${ok.text}`).toBe(200);
      expect(ok.body).toEqual({ data: expect.any(Array), nextCursor: null });
    }
  });

  it("Worth: items_per_page above 100 or page above 100,000 → 400 naming it; the caps themselves → 200", async () => {
    const path = `/auth/api/v1/customers/${w.customer.id}/users`;
    for (const q of ["items_per_page=101", "items_per_page=1000000", "page=100001"]) {
      const r = await call("GET", `${path}?${q}`, { token: w.t.admin });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ status: "fail", message: expect.stringContaining(q.split("=")[0]!), errorCode: "INVALID", data: { errorName: "ValidationMiddlewareError" } });
    }
    const ok = await call("GET", `${path}?items_per_page=100&page=100000`, { token: w.t.admin, expect: 200 });
    expect(ok.body.data.records).toEqual([]);
  });

  it("Corti: pageSize above 100 or page above 1,000,000 → 400 on both lists; the caps → 200", async () => {
    const customers = `/functions/v1/public/projects/${w.project.key}/customers`;
    for (const path of [customers, `${customers}/${w.customer.key}/users`]) {
      for (const q of ["pageSize=101", "pageSize=99999999999", "page=1000001"]) {
        const r = await call("GET", `${path}?${q}`, { token: w.t.admin });
        expect(r.status, `${path}?${q}`).toBe(400);
        expect(r.body).toMatchObject({ code: "BAD_REQUEST", message: expect.any(String) });
        expect(r.body.details.map((d: { field: string }) => d.field)).toContain(q.split("=")[0]);
      }
      expect((await call("GET", `${path}?pageSize=100&page=1000000`, { token: w.t.admin })).status).toBe(200);
    }
  });

  it("CloudCockpit: pageSize above 2000 or pageNumber above 1,000,000 → 400 naming it on both paged lists; the caps → 200", async () => {
    for (const path of ["/v1/users", "/v1/users/groups"]) {
      for (const q of ["pageSize=2001", "pageSize=99999999999", "pageNumber=1000001"]) {
        const r = await call("GET", `${path}?${q}`, { token: w.t.admin, headers: w.cc });
        expect(r.status, `${path}?${q}`).toBe(400);
        expect(r.body).toMatchObject({ statusCode: 400, type: "ValidationError" });
        expect(r.body.errors.map((e: { propertyName: string }) => e.propertyName)).toEqual([q.split("=")[0]]);
      }
      const ok = await call("GET", `${path}?pageSize=2000&pageNumber=1000000`, { token: w.t.admin, headers: w.cc, expect: 200 });
      expect(ok.body.items).toEqual([]);
    }
  });
});

describe("sets bound into SQL stay under D1's 100 bound parameters", () => {
  it("CloudCockpit groups filter: 51, 99 or 1,000 ids (commas or repeated) → 400 naming groups; 50 → 200 with the right users", async () => {
    const groups = await Promise.all(Array.from({ length: 50 }, (_, i) => create(w.t, "groups", { name: unique(`set${i}`) })));
    const email = `${unique("set")}@limits.example.com`;
    await call("POST", `/v1/customer/${w.customer.id}/users`, { token: w.t.admin, headers: w.cc, body: { firstName: "Set", lastName: "Member", email, groups: [{ id: groups[49].id }] }, expect: 201 });
    const ids = (n: number) => [...groups.map((g) => g.id as string), ...Array.from({ length: Math.max(0, n - 50) }, () => crypto.randomUUID())].slice(0, n);
    for (const q of [`groups=${ids(51).join(",")}`, ids(99).map((id) => `groups=${id}`).join("&"), `groups=${ids(1000).join(",")}`]) {
      const r = await call("GET", `/v1/users?${q}`, { token: w.t.admin, headers: w.cc });
      expect(r.status, r.text.slice(0, 300)).toBe(400);
      expect(r.body.errors).toEqual([{ propertyName: "groups", description: ["At most 50 group ids."] }]);
      expectClean(r);
    }
    const ok = await call("GET", `/v1/users?groups=${ids(50).join(",")}&search=${encodeURIComponent(email)}`, { token: w.t.admin, headers: w.cc, expect: 200 });
    expect(ok.body.items.map((u: { email: string }) => u.email)).toEqual([email]);
  });

  it("CloudCockpit user with 51 groups → 400 naming groups; with 50 → created, every link written in one batch", async () => {
    const groups = (await call("GET", `/v1/users/groups?pageSize=2000`, { token: w.t.admin, headers: w.cc, expect: 200 })).body.items.slice(0, 50) as { id: string }[];
    expect(groups).toHaveLength(50);
    const body = (n: number, email: string) => ({ firstName: "Many", lastName: "Groups", email, groups: [...groups, { id: crypto.randomUUID() }].slice(0, n).map((g) => ({ id: g.id })) });
    const tooMany = await call("POST", `/v1/customer/${w.customer.id}/users`, { token: w.t.admin, headers: w.cc, body: body(51, `${unique("g51")}@limits.example.com`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ propertyName: "groups", description: ["At most 50 groups."] }]);
    const email = `${unique("g50")}@limits.example.com`;
    await call("POST", `/v1/customer/${w.customer.id}/users`, { token: w.t.admin, headers: w.cc, body: body(50, email), expect: 201 });
    const got = await call("GET", `/v1/users?search=${encodeURIComponent(email)}`, { token: w.t.admin, headers: w.cc, expect: 200 });
    expect(got.body.items[0].groups).toHaveLength(50);
  });
});

describe("long search strings: a clean 400 past the documented length, a correct answer below it, never a D1 error", () => {
  const tenK = "s".repeat(10 * KIB);

  it("10 KB searches and filters → 400 in each surface's body", async () => {
    const cases: [string, Reply][] = [
      ["CloudCockpit search", await call("GET", `/v1/users?search=${tenK}`, { token: w.t.admin, headers: w.cc })],
      ["Worth search[first_name]", await call("GET", `/auth/api/v1/customers/${w.customer.id}/users?search[first_name]=${tenK}`, { token: w.t.admin })],
      ["Worth filter[email]", await call("GET", `/auth/api/v1/customers/${w.customer.id}/users?filter[email]=${tenK}`, { token: w.t.admin })],
      ["admin users email", await call("GET", `/api/v1/tenants/${w.t.id}/users?email=${tenK}`, { token: w.t.admin })],
      ["admin audit correlationId", await call("GET", `/api/v1/tenants/${w.t.id}/audit-events?correlationId=${tenK}`, { token: w.t.admin })],
    ];
    for (const [label, r] of cases) {
      expect(r.status, `${label}: ${r.text.slice(0, 200)}`).toBe(400);
      expectClean(r);
    }
    expect(cases[0]![1].body.errors).toEqual([{ propertyName: "search", description: [expect.any(String)] }]);
    expect(cases[1]![1].body).toMatchObject({ status: "fail", errorCode: "INVALID", message: expect.stringContaining("search[first_name]") });
  });

  it("a 255-character search full of LIKE wildcards is literal and finds exactly the user it spells (no LIKE pattern limit)", async () => {
    const lastName = `${"%_".repeat(60)}${unique("x")}`.slice(0, 200);
    const email = `${unique("wild")}@limits.example.com`;
    await call("POST", `/v1/customer/${w.customer.id}/users`, { token: w.t.admin, headers: w.cc, body: { firstName: "Wild", lastName, email, groups: [] }, expect: 201 });
    const found = await call("GET", `/v1/users?search=${encodeURIComponent(lastName)}`, { token: w.t.admin, headers: w.cc, expect: 200 });
    expect(found.body.items.map((u: { email: string }) => u.email)).toEqual([email]);
    const worth = await call("GET", `/auth/api/v1/customers/${w.customer.id}/users?search[last_name]=${encodeURIComponent(lastName)}`, { token: w.t.admin, expect: 200 });
    expect(worth.body.data.records.map((u: { email: string }) => u.email)).toEqual([email]);
    // 255 wildcards match only names that contain them literally: none.
    const none = await call("GET", `/v1/users?search=${encodeURIComponent("%".repeat(255))}`, { token: w.t.admin, headers: w.cc, expect: 200 });
    expect(none.body.items).toEqual([]);
    expect((await call("GET", `/v1/users?search=${"s".repeat(256)}`, { token: w.t.admin, headers: w.cc })).status).toBe(400);
  });
});
