/**
 * A user verb's batch — list, create, update, delete — is rendered once per form and cached
 * (src/core/users/, src/db/shapes.ts). The danger of a cache of SQL is a request's value frozen into it: so for every
 * form the verbs use — each owner kind or address, tenant reference, subrole selector, group
 * count, patched fields and principal — a second request with different values must produce, from the cache, exactly the
 * statements built directly with its own values.
 */
import { describe, expect, it } from "vitest";
import type { Ctx } from "../../src/core/context";
import type { Principal } from "../../src/core/principal";
import { compareLoginShape } from "../../src/auth/token-service";
import { compareCreateShape, type CreateUserInput } from "../../src/core/users/create-user";
import { compareDeleteShape } from "../../src/core/users/delete-user";
import type { UserAddress } from "../../src/core/users/get-user";
import type { Preconditions } from "../../src/core/users/preconditions";
import { compareUpdateShape, type UserPatch } from "../../src/core/users/update-user";
import { compareListShape, type UserListQuery } from "../../src/core/users/query-users";
import type { Scope } from "../../src/db/schema";

let n = 0;
const uuid = () => crypto.randomUUID();

function ctxOf(p: Partial<Principal>): Ctx {
  const principal: Principal = { sub: uuid(), role: "tenant_admin", tenantId: uuid(), customerId: null, resellerId: null, projectId: null, scopes: new Set<Scope>(["users:read", "users:write"]), issuedAt: 0, ...p };
  return { db: undefined as never, principal, correlationId: `corr-${++n}`, now: () => 1_700_000_000_000 + n, newId: uuid, tokenLifetimeSeconds: 3631 };
}

const principals: Record<string, () => Partial<Principal>> = {
  platform: () => ({ role: "platform", tenantId: null }),
  tenant_admin: () => ({ role: "tenant_admin" }),
  narrowed: () => ({ role: "tenant_admin", projectId: uuid() }),
  reseller: () => ({ role: "reseller", resellerId: uuid() }),
  customer: () => ({ role: "customer", customerId: uuid(), scopes: new Set<Scope>(["users:write"]) }),
};

const inputs: Record<string, () => CreateUserInput> = {
  "customer, no subrole, no groups": () => ({ owner: { customerId: uuid() }, firstName: `F${n}`, lastName: "L", email: `a${n}@example.com` }),
  "customer, subrole by id and code, two groups, password": () => ({
    owner: { customerId: uuid() },
    firstName: "Ann",
    lastName: `L${n}`,
    email: `b${n}@example.com`,
    mobile: `+1 555 ${n}`,
    subrole: { id: uuid(), code: `c${n}` },
    groupIds: [uuid(), uuid()],
    password: "a-long-enough-password",
  }),
  "customer in a project, by key, subrole by code": () => ({ owner: { customerId: `key-${n}`, project: { keyOrId: `proj-${n}`, tenantId: uuid() } }, firstName: "P", lastName: "K", email: `c${n}@example.com`, subrole: { code: `x${n}` } }),
  "customer of a reseller, X-Tenant domain, client id": () => ({
    owner: { customerId: uuid(), resellerId: uuid() },
    tenant: { domain: ` Portal-${n}.Example.com ` },
    id: uuid(),
    firstName: "D",
    lastName: "X",
    email: `d${n}@example.com`,
    groupIds: [uuid()],
  }),
  "reseller-level, tenant by id": () => ({ owner: { resellerId: uuid() }, tenant: { id: uuid() }, firstName: "R", lastName: "L", email: `e${n}@example.com`, subrole: { id: uuid() } }),
  "a group listed twice": () => {
    const g = uuid();
    return { owner: { customerId: uuid() }, firstName: "T", lastName: "W", email: `f${n}@example.com`, groupIds: [g, g] };
  },
};

describe("create batches rendered once per form", () => {
  for (const [who, principal] of Object.entries(principals)) {
    for (const [what, input] of Object.entries(inputs)) {
      it(`${who}: ${what}`, () => {
        // The first request renders the form; the second must not see any of its values.
        compareCreateShape(ctxOf(principal()), input());
        const [cached, direct] = compareCreateShape(ctxOf(principal()), input());
        expect(cached).toEqual(direct);
        expect(cached.length).toBeGreaterThanOrEqual(5);
      });
    }
  }
});

const addresses: Record<string, () => UserAddress> = {
  "user id under a customer id (Worth)": () => ({ userId: uuid(), customerId: uuid() }),
  "user id under project and customer keys (Corti)": () => ({ userId: uuid(), customerId: `key-${++n}`, project: { keyOrId: `proj-${n}`, tenantId: uuid() } }),
  "e-mail under X-Tenant (CloudCockpit)": () => ({ email: ` Mixed.${++n}@Example.com `, tenant: { domain: ` Portal-${n}.Example.com ` } }),
  "user id in a tenant by id": () => ({ userId: uuid(), tenant: { id: uuid() } }),
};

const patches: Record<string, () => UserPatch> = {
  "names": () => ({ firstName: ` Ann${++n} `, lastName: "B" }),
  "e-mail, mobile cleared, status inactive, verified": () => ({ email: `new${++n}@example.com`, mobile: null, status: "INACTIVE", emailVerified: true }),
  "subrole by code, groups": () => ({ subrole: { code: `c${++n}` }, groupIds: [uuid(), uuid(), uuid()] }),
  "subrole removed, no groups": () => ({ subrole: null, groupIds: [] }),
  "subrole by id and code, password": () => ({ subrole: { id: uuid(), code: `c${++n}` }, password: "a-long-enough-password" }),
  "a group listed twice": () => {
    const g = uuid();
    return { groupIds: [g, g] };
  },
};

/** The If-Match forms (src/core/users/preconditions.ts): none, `*`, tags (fresh values each time). */
const conditions: Record<string, () => Preconditions> = {
  "no If-Match": () => ({}),
  "If-Match *": () => ({ ifMatch: "*" }),
  "If-Match tags": () => ({ ifMatch: [`${uuid()}.${++n}`, `${uuid()}.1`] }),
};

describe("update and delete batches rendered once per form", () => {
  for (const [who, principal] of Object.entries(principals)) {
    for (const [where, address] of Object.entries(addresses)) {
      for (const [what, patch] of Object.entries(patches)) {
        it(`update — ${who}: ${where}: ${what}`, () => {
          compareUpdateShape(ctxOf(principal()), address(), patch());
          const [cached, direct] = compareUpdateShape(ctxOf(principal()), address(), patch());
          expect(cached).toEqual(direct);
        });
      }
      for (const [cond, condition] of Object.entries(conditions)) {
        it(`update, names — ${who}: ${where}: ${cond}`, () => {
          compareUpdateShape(ctxOf(principal()), address(), patches.names!(), condition());
          const [cached, direct] = compareUpdateShape(ctxOf(principal()), address(), patches.names!(), condition());
          expect(cached).toEqual(direct);
        });
        it(`delete — ${who}: ${where}: ${cond}`, () => {
          compareDeleteShape(ctxOf(principal()), address(), condition());
          const [cached, direct] = compareDeleteShape(ctxOf(principal()), address(), condition());
          expect(cached).toEqual(direct);
          // The user, whether its tenant requires If-Match, the event, the update, the event's snapshot of the user.
          expect(cached).toHaveLength(5);
        });
      }
    }
  }
});

const lists: Record<string, () => UserListQuery> = {
  "Worth, filtered, searched, sorted, offset page": () => ({
    scope: { customerId: uuid() },
    where: [
      { op: "eq", field: "email", value: ` Someone${++n}@Example.com ` },
      { op: "eq", field: "mobile", value: null },
      { op: "gte", field: "createdAt", value: n },
      { op: "contains", field: "firstName", value: `Émi${n}` },
    ],
    sort: [{ field: "lastName", dir: "asc" }],
    page: { kind: "offset", offset: n * 10, limit: 10 + (n % 5), withTotal: true },
  }),
  "Corti, project keys, page": () => ({ scope: { customerId: `key-${++n}`, project: { keyOrId: `proj-${n}`, tenantId: uuid() } }, where: [], sort: [{ field: "createdAt", dir: "asc" }], page: { kind: "offset", offset: n, limit: 20, withTotal: false } }),
  "CloudCockpit customer list, reseller filter, X-Tenant": () => ({
    scope: { customerId: uuid(), resellerId: uuid(), tenant: { domain: ` Portal-${++n}.Example.com ` } },
    where: [],
    sort: [
      { field: "lastName", dir: "asc" },
      { field: "firstName", dir: "asc" },
    ],
    page: { kind: "after", limit: 50_000 },
  }),
  "CloudCockpit /v1/users, search, groups, continuation": () => ({
    scope: { tenant: { domain: `portal-${++n}.example.com` } },
    where: [
      { op: "anyContains", fields: ["firstName", "lastName", "email"], value: `ANN${n}` },
      { op: "inGroups", groupIds: [uuid(), uuid()] },
    ],
    sort: [{ field: "email", dir: "desc" }],
    page: { kind: "after", after: [`x${n}@example.com`, uuid()], limit: 25, withTotal: true },
  }),
  "tenant by id, reseller filter": () => ({ scope: { tenant: { id: uuid() }, resellerId: uuid() }, where: [{ op: "eq", field: "status", value: "ACTIVE" }], sort: [{ field: "createdAt", dir: "desc" }], page: { kind: "offset", offset: 0, limit: 5, withTotal: true } }),
};

describe("list batches rendered once per form", () => {
  for (const [who, principal] of Object.entries(principals)) {
    for (const [what, list] of Object.entries(lists)) {
      it(`${who}: ${what}`, () => {
        const make = () => {
          const q = list();
          // A reseller naming another reseller is refused before anything is rendered.
          const p = principal();
          if (p.role === "reseller" && "tenant" in q.scope && !("customerId" in q.scope) && q.scope.resellerId !== undefined) q.scope.resellerId = p.resellerId!;
          return [ctxOf(p), q] as const;
        };
        compareListShape(...make());
        const [cached, direct] = compareListShape(...make());
        expect(cached).toEqual(direct);
      });
    }
  }
});

describe("login batches rendered once per form", () => {
  it.each([["without X-Tenant", undefined], ["with X-Tenant", " Portal.Example.com "]] as const)("%s", (_label, domain) => {
    compareLoginShape(`First@Example.com`, domain === undefined ? undefined : `a-${domain}`, 1_700_000_000_000);
    const [cached, direct] = compareLoginShape(` Second.${++n}@Example.com `, domain, 1_800_000_000_000 + n);
    expect(cached).toEqual(direct);
    expect(cached).toHaveLength(2);
  });
});
