/**
 * One rule per user field (issue 11 §9, src/core/users/fields.ts): an e-mail is what
 * `format: "email"` accepts (ajv-formats' full mode), names and mobiles hold no control characters,
 * and every surface refuses the same values with a 400 in its own dialect, writing nothing.
 */
import { fullFormats } from "ajv-formats/dist/formats";
import { describe, expect, it } from "vitest";
import { fieldIssues } from "../../src/core/users/fields";
import { ccWorld, cc, expectCc, newUser as ccUser } from "../cloudcockpit/helpers";
import { login, newEmail, PASSWORD, world as cortiWorld } from "../corti/helpers";
import { call, type Reply, type Tenant } from "../harness";

/** CloudCockpit's description of a refused body. */
const VALIDATION = "One or more validation errors occurred.";
import { expectFail, newUser as worthUser, worth, worthWorld } from "../worth/helpers";

/** The addresses of the issue: Corti stored them, Worth listed them; the third holds a control character. */
const REFUSED = ['"@.example.com', "Ω@<[é\\..example.com", "jane\u0001doe@example.com"];
/** Ordinary addresses, a tag and a deep domain, and upper case. */
const ACCEPTED = ["First.Last+tag@sub.example.co.uk", "JANE.DOE@EXAMPLE.COM"];

/** The tenant's live users holding an address (the admin API compares it trimmed and case-folded). */
async function usersAt(t: Tenant, email: string): Promise<{ email: string }[]> {
  return (await call("GET", `/api/v1/tenants/${t.id}/users?email=${encodeURIComponent(email)}`, { token: t.admin, expect: 200 })).body.data;
}

describe("the rule", () => {
  it("an e-mail is valid iff ajv-formats' email format accepts it, trimmed, in at most 255 characters", () => {
    const email = fullFormats.email as RegExp;
    for (const a of [...REFUSED, "a@b", "a@b..c", "a b@c.d", "a@-b.com", "x@y", "😀@example.com"]) {
      expect(email.test(a), a).toBe(false);
      expect(fieldIssues({ email: a }), a).toEqual([{ field: "email", message: "Not an e-mail address." }]);
    }
    for (const a of [...ACCEPTED, " padded@example.com ", "o'brien{x}@example.com"]) expect(fieldIssues({ email: a }), a).toEqual([]);
    expect(fieldIssues({ email: `${"e".repeat(244)}@example.com` })).toEqual([{ field: "email", message: "At most 255 characters." }]);
    expect(fieldIssues({ email: "" })).toEqual([
      { field: "email", message: "Must not be blank." },
      { field: "email", message: "Not an e-mail address." },
    ]);
  });

  it("names and mobile refuse control characters (U+0000–U+001F, U+007F–U+009F); other Unicode is a name like any other", () => {
    for (const c of ["\u0000", "\u0001", "\t", "\n", "\u001f", "\u007f", "\u0085", "\u009f"]) {
      expect(fieldIssues({ firstName: `a${c}b`, lastName: `a${c}b`, mobile: `1${c}2` }), JSON.stringify(c)).toEqual([
        { field: "firstName", message: "Must not contain control characters." },
        { field: "lastName", message: "Must not contain control characters." },
        { field: "mobile", message: "Must not contain control characters." },
      ]);
    }
    for (const ok of ["😀", "𝔘", "e\u0301", "\u0301 alone", `"'<>[]{}`, "עברית", "zero\u200bwidth", "\u00a0Jane"]) {
      expect(fieldIssues({ firstName: ok, lastName: ok, mobile: ok }), JSON.stringify(ok)).toEqual([]);
    }
    expect(fieldIssues({ firstName: "  ", mobile: "  " })).toEqual([{ field: "firstName", message: "Must not be blank." }]);
  });
});

describe("every surface refuses the same addresses with a 400 and writes nothing", () => {
  it("Corti: POST users", async () => {
    const w = await cortiWorld();
    for (const email of REFUSED) {
      const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email, firstName: "Jane", lastName: "Doe" } });
      expect({ status: r.status, body: r.body }, email).toEqual({
        status: 400,
        body: { message: "The user is not valid.", code: "BAD_REQUEST", details: [{ field: "email", message: "Not an e-mail address." }] },
      });
      expect(await usersAt(w.tenant, email)).toEqual([]);
    }
    for (const email of ACCEPTED) {
      const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email, firstName: "Jane", lastName: "Doe" }, expect: 201 });
      expect(r.body.email).toBe(email);
      expect((await usersAt(w.tenant, email)).map((u) => u.email)).toEqual([email]);
    }
  });

  it("Worth: POST and PATCH users", async () => {
    const w = await worthWorld();
    const path = `/customers/${w.customer.id}/users`;
    for (const email of REFUSED) {
      const r = await worth("POST", path, { token: w.tokens.customer, body: worthUser(w, { email }) });
      expectFail(r, 400, "INVALID", "email: Not an e-mail address.", "ValidationMiddlewareError");
      expect(await usersAt(w.tenant, email)).toEqual([]);
    }
    const ids: string[] = [];
    for (const email of ACCEPTED) {
      const r = await worth("POST", path, { token: w.tokens.customer, body: worthUser(w, { email }), expect: 200 });
      ids.push(r.body.data.user_id);
      expect((await usersAt(w.tenant, email)).map((u) => u.email)).toEqual([email]);
    }
    for (const email of REFUSED) {
      const r = await worth("PATCH", `${path}/${ids[0]}`, { token: w.tokens.customer, body: { email } });
      expectFail(r, 400, "INVALID", "email: Not an e-mail address.", "ValidationMiddlewareError");
    }
    expect((await usersAt(w.tenant, ACCEPTED[0]!)).map((u) => u.email)).toEqual([ACCEPTED[0]]);
  });

  it("CloudCockpit: POST users, PATCH by address, PATCH to an address", async () => {
    const w = await ccWorld();
    const expectRefused = (r: Reply) => expectCc(r, 400, [{ propertyName: "email", description: ["Not an e-mail address."] }], VALIDATION);
    for (const email of REFUSED) {
      expectRefused(await cc(w, "POST", `/customer/${w.customer.id}/users`, { body: ccUser({ email }) }));
      expect(await usersAt(w.tenant, email)).toEqual([]);
    }
    for (const email of ACCEPTED) {
      await cc(w, "POST", `/customer/${w.customer.id}/users`, { body: ccUser({ email }), expect: 201 });
      expect((await usersAt(w.tenant, email)).map((u) => u.email)).toEqual([email]);
    }
    for (const email of REFUSED) {
      expectRefused(await cc(w, "PATCH", `/users/${encodeURIComponent(ACCEPTED[0]!)}`, { body: { email } }));
      expectRefused(await cc(w, "PATCH", `/users/${encodeURIComponent(email)}`, { body: { firstName: "X" } }));
    }
    // The address in the path is compared case-insensitively: the upper-case one names its user.
    await cc(w, "PATCH", `/users/${encodeURIComponent(ACCEPTED[1]!.toLowerCase())}`, { body: { firstName: "Renamed" }, expect: 204 });
  });
});

describe("names: control characters refused everywhere, astral characters and combining marks accepted", () => {
  const CONTROL = ["a\u0001b", "a\nb", "\u007f", "\u009f"];
  const FINE = ["😀", "𝔘\u0301", "e\u0301", "\u0301 alone", `"'<>[]{}`];

  it("Corti", async () => {
    const w = await cortiWorld();
    for (const firstName of CONTROL) {
      const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: newEmail(), firstName, lastName: "Doe" } });
      expect({ status: r.status, body: r.body }, JSON.stringify(firstName)).toEqual({
        status: 400,
        body: { message: "The user is not valid.", code: "BAD_REQUEST", details: [{ field: "firstName", message: "Must not contain control characters." }] },
      });
    }
    for (const firstName of FINE) {
      const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: newEmail(), firstName, lastName: "Doe" }, expect: 201 });
      expect(r.body.firstName).toBe(firstName.trim());
    }
  });

  it("Worth (names and mobile)", async () => {
    const w = await worthWorld();
    const path = `/customers/${w.customer.id}/users`;
    for (const v of CONTROL) {
      for (const field of ["first_name", "last_name", "mobile"]) {
        const r = await worth("POST", path, { token: w.tokens.customer, body: worthUser(w, { [field]: v }) });
        expectFail(r, 400, "INVALID", `${field}: Must not contain control characters.`, "ValidationMiddlewareError");
      }
    }
    for (const v of FINE) {
      const r = await worth("POST", path, { token: w.tokens.customer, body: worthUser(w, { first_name: v, mobile: v }), expect: 200 });
      const got = await worth("GET", `${path}/${r.body.data.user_id}`, { token: w.tokens.customer, expect: 200 });
      expect([got.body.data.first_name, got.body.data.mobile]).toEqual([v.trim(), v]);
    }
  });

  it("CloudCockpit", async () => {
    const w = await ccWorld();
    for (const v of CONTROL) {
      const r = await cc(w, "POST", `/customer/${w.customer.id}/users`, { body: ccUser({ lastName: v }) });
      expectCc(r, 400, [{ propertyName: "lastName", description: ["Must not contain control characters."] }], VALIDATION);
    }
    for (const v of FINE) await cc(w, "POST", `/customer/${w.customer.id}/users`, { body: ccUser({ lastName: v }), expect: 201 });
  });
});

it("a login with an address that is not an e-mail fails exactly like an unknown address (401, no 500)", async () => {
  const unknown = await login(newEmail("nobody"), PASSWORD);
  expect(unknown.status).toBe(401);
  for (const email of [...REFUSED, "a@b", "x\u0000@example.com"]) {
    const r = await login(email, PASSWORD);
    expect({ status: r.status, body: r.body }, email).toEqual({ status: unknown.status, body: unknown.body });
  }
});

it("/doc: every e-mail property of a request or response, and the e-mail path parameter, is `format: email`", async () => {
  const doc = (await call("GET", "/doc", { expect: 200 })).body;
  const found: string[] = [];
  const bad: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
    if (node === null || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    const props = o.properties as Record<string, { format?: string; $ref?: string }> | undefined;
    if (props && typeof props.email === "object") {
      found.push(at);
      if (props.email.format !== "email") bad.push(`${at}.properties.email`);
    }
    // Query parameters named e-mail are filters (any text finds or misses users), not addresses.
    if (o.in === "path" && o.name === "email") {
      found.push(at);
      if ((o.schema as { format?: string }).format !== "email") bad.push(at);
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${at}.${k}`);
  };
  walk(doc, "$");
  expect(bad).toEqual([]);
  // Worth (request ×2, response), Corti (request, response), CloudCockpit (×2, response, path), admin, login.
  expect(found.length).toBeGreaterThanOrEqual(10);
});
