/** GET /v1/users — paging, continuation tokens, sort, search and filters; errors; security. */
import { describe, expect, it } from "vitest";
import { dbTrips } from "../harness";
import { cc, ccWorld, createCcUser, expectCc, newUser, type CcUser, type CcWorld } from "./helpers";

async function page(w: CcWorld, query: string, token = w.tokens.tenantAdmin) {
  const r = await cc(w, "GET", `/users${query}`, { token, expect: 200 });
  expect(dbTrips(r)).toBe(1);
  return r.body as {
    items: CcUser[];
    paginationParameters: { pageNumber: number; pageSize: number };
    totalPages: number;
    totalCount: number;
    hasPreviousPage: boolean;
    hasNextPage: boolean;
    continuationToken: string | null;
  };
}
const names = (items: CcUser[]) => items.map((u) => `${u.lastName} ${u.firstName}`);

describe("GET /v1/users — happy", () => {
  it("pages by number: counts, flags, and a token on every page but the last", async () => {
    const w = await ccWorld();
    for (const n of ["E", "C", "A", "D", "B"]) await createCcUser(w, { lastName: n, firstName: "x" });
    const p1 = await page(w, "?pageSize=2");
    expect(names(p1.items)).toEqual(["A x", "B x"]);
    expect(p1).toMatchObject({ paginationParameters: { pageNumber: 1, pageSize: 2 }, totalPages: 3, totalCount: 5, hasPreviousPage: false, hasNextPage: true });
    expect(p1.continuationToken).toEqual(expect.any(String));
    const p3 = await page(w, "?pageSize=2&pageNumber=3");
    expect(p3).toEqual({
      items: [expect.objectContaining({ lastName: "E" })],
      paginationParameters: { pageNumber: 3, pageSize: 2 },
      totalPages: 3,
      totalCount: 5,
      hasPreviousPage: true,
      hasNextPage: false,
      continuationToken: null,
    });
    const past = await page(w, "?pageSize=2&pageNumber=9");
    expect(past).toMatchObject({ items: [], totalCount: 5, hasPreviousPage: true, hasNextPage: false, continuationToken: null });
    const defaults = await page(w, "");
    expect(defaults).toMatchObject({ paginationParameters: { pageNumber: 1, pageSize: 50 }, totalPages: 1, totalCount: 5 });
  });

  it("a continuation token resumes exactly after the last item, even when users are inserted in between", async () => {
    const w = await ccWorld();
    for (const n of ["B", "D", "F", "H"]) await createCcUser(w, { lastName: n, firstName: "x" });
    const p1 = await page(w, "?pageSize=2");
    expect(names(p1.items)).toEqual(["B x", "D x"]);
    // One before the boundary (a page-number client would see D twice), one after it.
    await createCcUser(w, { lastName: "A", firstName: "x" });
    await createCcUser(w, { lastName: "E", firstName: "x" });
    const p2 = await page(w, `?pageSize=2&continuationToken=${encodeURIComponent(p1.continuationToken!)}`);
    expect(names(p2.items)).toEqual(["E x", "F x"]);
    expect(p2).toMatchObject({ paginationParameters: { pageNumber: 2, pageSize: 2 }, totalCount: 6, totalPages: 3, hasPreviousPage: true, hasNextPage: true });
    const p3 = await page(w, `?pageSize=2&continuationToken=${encodeURIComponent(p2.continuationToken!)}`);
    expect(names(p3.items)).toEqual(["H x"]);
    expect(p3).toMatchObject({ paginationParameters: { pageNumber: 3, pageSize: 2 }, hasNextPage: false, continuationToken: null });
  });

  it("ties on the name are broken by id, so keyset pages never overlap or skip", async () => {
    const w = await ccWorld();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createCcUser(w, { lastName: "Same", firstName: "Name" })).id);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const p = await page(w, `?pageSize=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`);
      seen.push(...p.items.map((u) => u.id));
      token = p.continuationToken;
    } while (token !== null);
    expect(seen).toEqual([...ids].sort());
  });

  it("sorts by Name or Email, ascending or not (values case-insensitive), and keyset pages follow the order", async () => {
    const w = await ccWorld();
    await createCcUser(w, { lastName: "Brown", firstName: "Al", email: "zed@example.com" });
    await createCcUser(w, { lastName: "Adams", firstName: "Bo", email: "Mia@example.com" });
    await createCcUser(w, { lastName: "Adams", firstName: "Al", email: "amy@example.com" });
    expect(names((await page(w, "?sortPropertyName=Name")).items)).toEqual(["Adams Al", "Adams Bo", "Brown Al"]);
    expect(names((await page(w, "?sortPropertyName=name&ascending=False")).items)).toEqual(["Brown Al", "Adams Bo", "Adams Al"]);
    expect((await page(w, "?sortPropertyName=Email")).items.map((u) => u.email)).toEqual(["amy@example.com", "Mia@example.com", "zed@example.com"]);
    const d1 = await page(w, "?sortPropertyName=EMAIL&ascending=false&pageSize=2");
    expect(d1.items.map((u) => u.email)).toEqual(["zed@example.com", "Mia@example.com"]);
    const d2 = await page(w, `?sortPropertyName=EMAIL&ascending=false&pageSize=2&continuationToken=${encodeURIComponent(d1.continuationToken!)}`);
    expect(d2.items.map((u) => u.email)).toEqual(["amy@example.com"]);
  });

  it("search matches first name, last name or e-mail, case-insensitively and literally", async () => {
    const w = await ccWorld();
    await createCcUser(w, { firstName: "Anna", lastName: "Smith", email: "a1@example.com" });
    await createCcUser(w, { firstName: "Bob", lastName: "Johanson", email: "b1@example.com" });
    await createCcUser(w, { firstName: "Carl", lastName: "Oak", email: "carl.ANNA@example.com" });
    await createCcUser(w, { firstName: "Dan", lastName: "100%_off", email: "d1@example.com" });
    expect(names((await page(w, "?search=ANN")).items)).toEqual(["Oak Carl", "Smith Anna"]);
    expect(names((await page(w, "?search=johan")).items)).toEqual(["Johanson Bob"]);
    expect(names((await page(w, `?search=${encodeURIComponent("%_")}`)).items)).toEqual(["100%_off Dan"]);
    expect((await page(w, "?search=nobody")).totalCount).toBe(0);
  });

  it("search folds case for every script, not only ASCII (émilie finds Émilie; ΣΟΦΊΑ finds Σοφία; a decomposed é finds the composed one)", async () => {
    const w = await ccWorld();
    await createCcUser(w, { firstName: "Émilie", lastName: "Ångström", email: "emilie@example.com" });
    await createCcUser(w, { firstName: "Σοφία", lastName: "Παπαδοπούλου", email: "sofia@example.com" });
    await createCcUser(w, { firstName: "Örjan", lastName: "Ægir", email: "orjan@example.com" });
    expect(names((await page(w, `?search=${encodeURIComponent("émilie")}`)).items)).toEqual(["Ångström Émilie"]);
    expect(names((await page(w, `?search=${encodeURIComponent("ÅNGSTR")}`)).items)).toEqual(["Ångström Émilie"]);
    expect(names((await page(w, `?search=${encodeURIComponent("ΣΟΦΊΑ")}`)).items)).toEqual(["Παπαδοπούλου Σοφία"]);
    expect(names((await page(w, `?search=${encodeURIComponent("e\u0301milie")}`)).items)).toEqual(["Ångström Émilie"]);
    expect(names((await page(w, `?search=${encodeURIComponent("ÖRJAN")}`)).items)).toEqual(["Ægir Örjan"]);
    expect(names((await page(w, `?search=${encodeURIComponent("æ")}`)).items)).toEqual(["Ægir Örjan"]);
    // A rename is searchable by its new name at once (the fold is stored with every write).
    await cc(w, "PATCH", `/users/${encodeURIComponent("emilie@example.com")}`, { body: { firstName: "Zoé" }, expect: 204 });
    expect(names((await page(w, `?search=${encodeURIComponent("ZOÉ")}`)).items)).toEqual(["Ångström Zoé"]);
    expect((await page(w, `?search=${encodeURIComponent("émilie")}`)).totalCount).toBe(0);
  });

  it("groups: users in any of them, the parameter repeated or comma-separated", async () => {
    const w = await ccWorld();
    const [g1, g2, g3] = [w.groups[0]!, w.groups[1]!, w.groups[2]!];
    await createCcUser(w, { lastName: "One", groups: [{ id: g1.id }] });
    await createCcUser(w, { lastName: "Two", groups: [{ id: g2.id }, { id: g3.id }] });
    await createCcUser(w, { lastName: "None" });
    expect(names((await page(w, `?groups=${g1.id}`)).items)).toEqual(["One Jane"]);
    expect(names((await page(w, `?groups=${g1.id}&groups=${g3.id}`)).items)).toEqual(["One Jane", "Two Jane"]);
    expect(names((await page(w, `?groups=${g2.id},${g1.id.toUpperCase()}`)).items)).toEqual(["One Jane", "Two Jane"]);
  });

  it("resellerId filters; a reseller token sees only its reseller's users, a customer token only its customer's", async () => {
    const w = await ccWorld();
    await createCcUser(w, { lastName: "Cust" });
    await createCcUser(w, { lastName: "Sib" }, w.sibling.id);
    await createCcUser(w, { lastName: "Direct" }, w.direct.id);
    await cc(w, "POST", `/reseller/${w.reseller.id}/users`, { body: newUser({ lastName: "ResLevel" }), expect: 201 });
    await cc(w, "POST", `/reseller/${w.otherReseller.id}/users`, { body: newUser({ lastName: "OtherRes" }), expect: 201 });
    expect(names((await page(w, "")).items)).toEqual(["Cust Jane", "Direct Jane", "OtherRes Jane", "ResLevel Jane", "Sib Jane"]);
    expect(names((await page(w, `?resellerId=${w.reseller.id}`)).items)).toEqual(["Cust Jane", "ResLevel Jane", "Sib Jane"]);
    expect(names((await page(w, "", w.tokens.reseller)).items)).toEqual(["Cust Jane", "ResLevel Jane", "Sib Jane"]);
    expect(names((await page(w, `?resellerId=${w.reseller.id}`, w.tokens.reseller)).items)).toEqual(["Cust Jane", "ResLevel Jane", "Sib Jane"]);
    expect(names((await page(w, "", w.tokens.customer)).items)).toEqual(["Cust Jane"]);
    expect(names((await page(w, "", w.tokens.platform)).items)).toHaveLength(5);
  });
});

describe("GET /v1/users — errors", () => {
  it("every bad parameter is named in one 400", async () => {
    const w = await ccWorld();
    const r = await cc(w, "GET", "/users?pageNumber=0&pageSize=2001&sortPropertyName=Age&ascending=yes&groups=x&resellerId=1&search=" + "s".repeat(256));
    expectCc(r, 400, [
      { propertyName: "pageNumber", description: ["Must be between 1 and 1000000."] },
      { propertyName: "pageSize", description: ["Must be between 1 and 2000."] },
      { propertyName: "search", description: ["At most 255 characters."] },
      { propertyName: "sortPropertyName", description: ["Must be Name or Email."] },
      { propertyName: "ascending", description: ["Must be true or false."] },
      { propertyName: "groups[0]", description: ["Must be a uuid."] },
      { propertyName: "resellerId", description: ["Must be a uuid."] },
    ]);
    expectCc(await cc(w, "GET", "/users?pageSize=abc&pageNumber=-1"), 400, [
      { propertyName: "pageNumber", description: ["Must be a whole number."] },
      { propertyName: "pageSize", description: ["Must be a whole number."] },
    ]);
    expectCc(await cc(w, "GET", "/users?pageSize=1&pageSize=2"), 400, [{ propertyName: "pageSize", description: ["Must be a whole number."] }]);
  });

  it("a token that this API did not issue for this query → 400 naming continuationToken", async () => {
    const w = await ccWorld();
    for (let i = 0; i < 3; i++) await createCcUser(w);
    const p1 = await page(w, "?pageSize=1&search=jane");
    const groups = await cc(w, "GET", "/users/groups?pageSize=1", { expect: 200 });
    const bad = [
      ["garbage", "Not a token returned by this API."],
      [p1.continuationToken!.slice(0, -3), "Not a token returned by this API."],
      [groups.body.continuationToken, "Not a token returned by this API."],
    ];
    for (const [token, message] of bad) {
      expectCc(await cc(w, "GET", `/users?pageSize=1&search=jane&continuationToken=${encodeURIComponent(token!)}`), 400, [{ propertyName: "continuationToken", description: [message!] }]);
    }
    for (const other of ["?pageSize=1&search=doe", "?pageSize=1&search=jane&ascending=false", "?pageSize=1&search=jane&sortPropertyName=Email"]) {
      const r = await cc(w, "GET", `/users${other}&continuationToken=${encodeURIComponent(p1.continuationToken!)}`);
      expect(r.status).toBe(400);
      expect(r.body.errors[0].propertyName).toBe("continuationToken");
    }
  });
});

describe("GET /v1/users — security", () => {
  it("a reseller token naming another reseller → 403; users:write alone → 403", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "GET", `/users?resellerId=${w.otherReseller.id}`, { token: w.tokens.reseller }), 403);
    expectCc(await cc(w, "GET", "/users", { token: w.tokens.write.tenantAdmin }), 403);
  });

  it("only the X-Tenant tenant's users are listed, whoever asks", async () => {
    const w = await ccWorld();
    const other = await ccWorld();
    await createCcUser(other, { lastName: "Elsewhere" });
    await createCcUser(w, { lastName: "Here" });
    expect(names((await page(w, "", w.tokens.platform)).items)).toEqual(["Here Jane"]);
    expect(names((await page(other, "", w.tokens.platform)).items)).toEqual(["Elsewhere Jane"]);
    expect(names((await page(w, "")).items)).toEqual(["Here Jane"]);
  });
});
