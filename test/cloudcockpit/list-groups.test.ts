/** GET /v1/users/groups — happy, error and security cases. */
import { describe, expect, it } from "vitest";
import { create, dbTrips } from "../harness";
import { cc, ccWorld, expectCc } from "./helpers";

describe("GET /v1/users/groups — happy", () => {
  it("the tenant's groups by name in the paged envelope; one round trip", async () => {
    const w = await ccWorld();
    const r = await cc(w, "GET", "/users/groups", { expect: 200 });
    expect(dbTrips(r)).toBe(1);
    expect(r.body).toEqual({
      items: w.groups,
      paginationParameters: { pageNumber: 1, pageSize: 50 },
      totalPages: 1,
      totalCount: 3,
      hasPreviousPage: false,
      hasNextPage: false,
      continuationToken: null,
    });
  });

  it("page numbers and a continuation token that survives inserts", async () => {
    const w = await ccWorld();
    const p1 = (await cc(w, "GET", "/users/groups?pageSize=2", { expect: 200 })).body;
    expect(p1.items.map((g: { name: string }) => g.name)).toEqual(["Alpha", "Beta"]);
    expect(p1).toMatchObject({ totalPages: 2, totalCount: 3, hasNextPage: true });
    await create(w.tenant, "groups", { name: "Aardvark" });
    await create(w.tenant, "groups", { name: "Delta" });
    const p2 = await cc(w, "GET", `/users/groups?pageSize=2&continuationToken=${encodeURIComponent(p1.continuationToken)}`, { expect: 200 });
    expect(dbTrips(p2)).toBe(1);
    expect(p2.body.items.map((g: { name: string }) => g.name)).toEqual(["Delta", "Gamma"]);
    expect(p2.body).toMatchObject({ paginationParameters: { pageNumber: 2, pageSize: 2 }, totalCount: 5, totalPages: 3, hasPreviousPage: true, hasNextPage: false, continuationToken: null });
    const byNumber = (await cc(w, "GET", "/users/groups?pageSize=2&pageNumber=3", { expect: 200 })).body;
    expect(byNumber.items.map((g: { name: string }) => g.name)).toEqual(["Gamma"]);
  });

  it("every role of the tenant may read them", async () => {
    const w = await ccWorld();
    for (const { token } of w.tokens.all) expect((await cc(w, "GET", "/users/groups", { token, expect: 200 })).body.items).toEqual(w.groups);
  });
});

describe("GET /v1/users/groups — errors", () => {
  it("bad paging parameters and a foreign token → 400 naming each", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "GET", "/users/groups?pageNumber=x&pageSize=0"), 400, [
      { propertyName: "pageNumber", description: ["Must be a whole number."] },
      { propertyName: "pageSize", description: ["Must be between 1 and 2000."] },
    ]);
    expectCc(await cc(w, "GET", "/users/groups?continuationToken=W10"), 400, [{ propertyName: "continuationToken", description: ["Not a token returned by this API."] }]);
  });

  it("a token of another tenant's groups list is refused", async () => {
    const a = await ccWorld();
    const b = await ccWorld();
    const p1 = (await cc(a, "GET", "/users/groups?pageSize=1", { token: a.tokens.platform, expect: 200 })).body;
    const r = await cc(b, "GET", `/users/groups?pageSize=1&continuationToken=${encodeURIComponent(p1.continuationToken)}`, { token: a.tokens.platform });
    expectCc(r, 400, [{ propertyName: "continuationToken", description: ["The token belongs to another query (sort, search or filters changed)."] }]);
  });
});

describe("GET /v1/users/groups — security", () => {
  it("only the X-Tenant tenant's groups; users:write alone → 403", async () => {
    const a = await ccWorld();
    const b = await ccWorld();
    expect((await cc(b, "GET", "/users/groups", { token: a.tokens.platform, expect: 200 })).body.items).toEqual(b.groups);
    expectCc(await cc(a, "GET", "/users/groups", { token: a.tokens.write.customer }), 403);
  });
});
