/**
 * Ids as a client may spell them (issue 6 §3): for every GET operation of /doc with path
 * parameters, a real id in upper case and a real id with every byte percent-encoded answer exactly
 * as the plain id does — same status, same body — on every surface. Ids are case-insensitive on
 * input (RFC 9562 §4); before this was pinned, only CloudCockpit agreed (the admin API answered a
 * tenant admin's own tenant id in upper case with 403, Worth and Corti with 404). And every
 * free-text URL parameter of every GET takes odd bytes (RTL, zero-width, NUL, a lone surrogate,
 * invalid and overlong UTF-8) without a 5xx, in a documented status and body.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, type Reply } from "../harness";
import { checkReply, flat, ODD_URL_VALUES, operationsOf, type Case, type Doc, type Operation } from "./fuzz-engine";
import { buildWorld, surfaceOf, type FuzzWorld } from "./fuzz-world";

const doc = (await call("GET", "/doc", { expect: 200 })).body as Doc;
const ops = operationsOf(doc).filter((o) => o.method === "GET" && /\{/.test(o.path));

let w: FuzzWorld;
beforeAll(async () => {
  w = await buildWorld(doc);
});

/** A real value for each path parameter of an operation (ids in their uuid form). */
function realParams(o: Operation): Record<string, string> {
  const out: Record<string, string> = {};
  const kind = /\/tenants\/\{tenantId\}\/([a-z-]+)\/\{id\}(?:\/deliveries)?$/.exec(o.path)?.[1];
  for (const p of (o.op.parameters ?? []).filter((x) => x.in === "path")) {
    const value = (() => {
      switch (p.name) {
        case "tenantId":
          return w.tenant.id;
        case "id":
          // A SCIM user (/scim/v2/Users/{id}), else the admin API's resource of the path's kind.
          if (surfaceOf(o) === "scim") return o.path.includes("/Groups/") ? w.groups[0]!.id : w.scimUsers[0]!.id;
          return ((w as unknown as Record<string, { id: string }[]>)[kind ?? ""] ?? [])[0]?.id;
        case "userId":
        case "userID":
          return w.users[0]!.id;
        case "customerID":
        case "customerId":
          return w.customers[0]!.id;
        case "projectId":
          return w.projects[0]!.id;
        case "resellerId":
          return w.resellers[0]!.id;
        case "importId":
          return w.imports[0]!.id;
        default:
          return undefined;
      }
    })();
    if (value === undefined) throw new Error(`${o.key}: no real value for path parameter ${p.name}; extend realParams`);
    out[p.name] = value;
  }
  return out;
}

/** Who reads: the tenant admin, or on SCIM the customer's SCIM token. */
const tokenOf = (o: Operation) => (surfaceOf(o) === "scim" ? w.scim : w.tenant.admin);

function url(o: Operation, params: Record<string, string>, spell: (v: string) => string): string {
  return o.path.replace(/\{(\w+)\}/g, (_, name: string) => spell(params[name]!));
}

const percentAll = (s: string) => [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

/** The body without the per-request correlation id. */
function comparable(r: Reply): unknown {
  const text = r.text.replaceAll(r.headers.get("x-correlation-id") ?? "\u0000", "<correlation-id>");
  return { status: r.status, text };
}

describe("upper-case and percent-encoded ids address the same resource", () => {
  it("every GET operation with path parameters is covered", () => {
    expect(ops.length).toBeGreaterThan(15);
    for (const o of ops) expect(() => realParams(o)).not.toThrow();
  });

  for (const o of ops) {
    it(o.key, async () => {
      const params = realParams(o);
      const send = (spell: (v: string) => string) =>
        call("GET", url(o, params, spell), { token: tokenOf(o), headers: surfaceOf(o) === "cloudcockpit" ? { "x-tenant": w.tenant.domain } : {} });
      const plain = await send((v) => encodeURIComponent(v));
      expect(plain.status, plain.text).toBe(200);
      for (const [label, spell] of [
        ["upper case", (v: string) => encodeURIComponent(v.toUpperCase())],
        ["percent-encoded", percentAll],
        ["upper case, percent-encoded", (v: string) => percentAll(v.toUpperCase())],
      ] as const) {
        const r = await send(spell);
        expect(comparable(r), label).toEqual(comparable(plain));
      }
    });
  }
});

describe("odd bytes in every free-text URL parameter of every GET", () => {
  const free = (o: Operation) =>
    (o.op.parameters ?? []).filter((p) => (p.in === "path" || p.in === "query") && flat(doc, p.schema).type === "string" && !flat(doc, p.schema).format && !flat(doc, p.schema).enum);
  const targets = operationsOf(doc).filter((o) => o.method === "GET" && free(o).length > 0);

  it("there are such parameters on every surface", () => {
    expect(new Set(targets.map((o) => surfaceOf(o)))).toEqual(new Set(["admin", "worth", "corti", "cloudcockpit", "scim"]));
  });

  for (const o of targets) {
    it(o.key, async () => {
      const params = /\{/.test(o.path) ? realParams(o) : {};
      for (const p of free(o)) {
        for (const odd of ODD_URL_VALUES) {
          const path = url(o, params, (v) => encodeURIComponent(v)).replace(p.in === "path" ? encodeURIComponent(params[p.name]!) : "\u0000", odd);
          const c: Case = {
            kind: "odd",
            label: `${p.in} ${p.name}: ${odd}`,
            method: "GET",
            url: p.in === "query" ? `${path}?${encodeURIComponent(p.name)}=${odd}` : path,
            headers: { authorization: `Bearer ${tokenOf(o)}`, ...(surfaceOf(o) === "cloudcockpit" ? { "x-tenant": w.tenant.domain } : {}) },
          };
          const r = await call(c.method, c.url, { headers: c.headers });
          checkReply(doc, o, {}, c, r, w.secrets);
        }
      }
    });
  }
});
