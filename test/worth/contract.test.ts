/**
 * Worth against its own documents: the seeds' examples reproduced exactly, every error body of
 * the table valid against the seeds' schemas, and the OpenAPI document at /doc listing the five
 * operations under the Worth tag with every status the seeds declare.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES } from "../../src/core/errors";
import { worthError } from "../../src/dialects/worth/errors";
import { call } from "../harness";
import { declaredStatuses, expectConforms, OPERATIONS, ownDoc, responseSchema, SEEDS, validate } from "./contract";
import { createWorthUser, W, worth, worthWorld, type WorthWorld } from "./helpers";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- documents are walked by key

let w: WorthWorld;
beforeAll(async () => {
  w = await worthWorld();
});

/** The example of a seed's response for a status (inline, or built from its properties' examples). */
function seedExample(key: string, status: number): unknown {
  const doc = SEEDS[key] as Json;
  const [method, path] = key.split(" ") as [string, string];
  let res = doc.paths[path][method.toLowerCase()].responses[String(status)];
  if (res.$ref) res = doc.components.responses[res.$ref.split("/").pop()];
  const media = res.content["application/json"];
  if (media.example) return media.example;
  return Object.fromEntries(Object.entries(media.schema.properties as Json).map(([k, v]) => [k, (v as Json).example]));
}

describe("the seeds' examples, exactly", () => {
  it("seed 000: create → the example body; duplicate → the example 400", async () => {
    const key = "POST /customers/{customerID}/users";
    const body = { first_name: "Sandbox", last_name: "CRO", email: "dummy.customer.user@email.com", subrole: { id: w.cro.id, code: "cro", label: "CRO" } };
    const r = await worth("POST", `/customers/${w.customer.id}/users`, { token: w.tokens.customer, body });
    const example = seedExample(key, 200) as Json;
    expect(r.body).toEqual({ ...example, data: { user_id: r.body.data.user_id } });
    await expectConforms(key, r);
    const dup = await worth("POST", `/customers/${w.customer.id}/users`, { token: w.tokens.customer, body });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual(seedExample(key, 400));
    await expectConforms(key, dup);
  });

  it("seed 001: the list of that user is the example, but for ids, times and creators", async () => {
    const key = "GET /customers/{customerID}/users";
    const r = await worth("GET", `/customers/${w.customer.id}/users?filter[email]=dummy.customer.user@email.com`, { token: w.tokens.customer });
    const example = seedExample(key, 200) as Json;
    const got = r.body.data.records[0];
    const rec = example.data.records[0];
    const variable = { id: got.id, created_at: got.created_at, created_by: got.created_by, updated_at: got.updated_at, updated_by: got.updated_by, ext_auth_ref_id: got.ext_auth_ref_id };
    expect(r.body).toEqual({ ...example, data: { ...example.data, records: [{ ...rec, ...variable, subrole: { ...rec.subrole, id: w.cro.id } }] } });
    await expectConforms(key, r);
  });

  it("seed 002: update → the example 200; unknown user → the example 404", async () => {
    const key = "PATCH /customers/{customerID}/users/{userID}";
    const id = await createWorthUser(w);
    const ok = await worth("PATCH", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, body: { status: "INACTIVE" } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(seedExample(key, 200));
    await expectConforms(key, ok);
    const missing = await worth("PATCH", `/customers/${w.customer.id}/users/${crypto.randomUUID()}`, { token: w.tokens.customer, body: { status: "INACTIVE" } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(seedExample(key, 404));
    await expectConforms(key, missing);
  });

  it("401, 403 (and 500, from the table) are the seeds' component examples", async () => {
    for (const key of Object.keys(SEEDS)) {
      const [method, path] = key.split(" ") as [string, string];
      const url = path.replace("{customerID}", w.customer.id).replace("{userID}", crypto.randomUUID());
      const body = method === "GET" ? undefined : { first_name: "x" };
      const none = await worth(method, url, { body });
      expect(none.status).toBe(401);
      expect(none.body).toEqual(seedExample(key, 401));
      const noScope = await worth(method, url, { body, token: method === "GET" ? w.tokens.customerWrite : w.tokens.customerRead });
      expect(noScope.status).toBe(403);
      expect(noScope.body).toEqual(seedExample(key, 403));
      expect(worthError(new DomainError("INTERNAL", "boom")).body).toEqual(seedExample(key, 500));
    }
  });
});

describe("every error body of the table fits the documents", () => {
  for (const code of ERROR_CODES) {
    it(`${code}`, async () => {
      const { status, body } = worthError(new DomainError(code, "text", { subject: "user", issues: [{ field: "email", message: "bad" }] }));
      for (const key of OPERATIONS) {
        const own = responseSchema(await ownDoc(), key, status, W);
        if (own.declared) expect(validate(await ownDoc(), own.schema, body), `${key} ${status}`).toEqual([]);
        const seed = SEEDS[key];
        if (seed && responseSchema(seed, key, status).declared) expect(validate(seed, responseSchema(seed, key, status).schema, body), `${key} ${status} vs seed`).toEqual([]);
      }
    });
  }
});

describe("the OpenAPI document at /doc", () => {
  it("lists the five operations under the Worth tag, secured, with every status the seeds declare", async () => {
    const doc = (await call("GET", "/doc", { expect: 200 })).body as Json;
    const worthOps = Object.entries(doc.paths as Json)
      .filter(([p]) => p.startsWith(`${W}/`))
      .flatMap(([p, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${p.slice(W.length)}`));
    expect(worthOps.sort()).toEqual([...OPERATIONS].sort());
    for (const key of OPERATIONS) {
      const [method, path] = key.split(" ") as [string, string];
      const op = doc.paths[`${W}${path}`][method.toLowerCase()];
      expect(op.tags, key).toEqual(["Worth"]);
      expect(op.security, key).toEqual([{ bearerAuth: [] }]);
      if (method !== "GET") expect(op.requestBody.required, key).toBe(true);
      const seed = SEEDS[key];
      if (seed) for (const s of declaredStatuses(seed, key)) expect(declaredStatuses(doc as never, key, W), `${key} declares ${s}`).toContain(s);
      for (const s of [200, 400, 401, 403, 404, 500]) expect(declaredStatuses(doc as never, key, W)).toContain(s);
    }
  });

  it("documents the real schemas: the create body's required fields are the seed's; the list query's parameters", async () => {
    const doc = (await ownDoc()) as Json;
    const resolveRef = (s: Json): Json => (s.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s);
    const create = resolveRef(doc.paths[`${W}/customers/{customerID}/users`].post.requestBody.content["application/json"].schema);
    const seedCreate = (SEEDS["POST /customers/{customerID}/users"] as Json).paths["/customers/{customerID}/users"].post.requestBody.content["application/json"].schema;
    expect([...create.required].sort()).toEqual([...seedCreate.required].sort());
    expect(Object.keys(create.properties).sort()).toEqual(Object.keys(seedCreate.properties).sort());
    expect(create.additionalProperties).toBe(false);
    const params = doc.paths[`${W}/customers/{customerID}/users`].get.parameters.map((p: Json) => p.name);
    for (const name of ["customerID", "page", "items_per_page", "filter[first_name]", "filter[created_at][gte]", "search[email]", "sort[created_at]", "status"]) expect(params).toContain(name);
    const list = resolveRef(doc.paths[`${W}/customers/{customerID}/users`].get.responses["200"].content["application/json"].schema);
    expect(validate(doc as never, list, seedExample("GET /customers/{customerID}/users", 200))).toEqual([]);
  });
});
