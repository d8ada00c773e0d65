/**
 * A create's batch is rendered once per form and cached (src/core/users/create-user.ts,
 * src/db/shapes.ts). The danger of a cache of SQL is a request's value frozen into it: so for every
 * form the verbs use — each owner kind, tenant reference, subrole selector, group count and
 * principal — a second request with different values must produce, from the cache, exactly the
 * statements built directly with its own values.
 */
import { describe, expect, it } from "vitest";
import type { Ctx } from "../../src/core/context";
import type { Principal } from "../../src/core/principal";
import { compareCreateShape, type CreateUserInput } from "../../src/core/users/create-user";
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
