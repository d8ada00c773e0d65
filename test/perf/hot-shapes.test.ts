/**
 * The query shapes rendered once per isolate (src/core/users/hot-shapes.ts) answer exactly what the
 * general builders answer for the same request — same users, same order, same groups, same total —
 * and their plans walk indexes. The general path is forced with a condition that holds for every
 * user (so only the route the verb takes differs).
 */
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../src/core/context";
import { getUser } from "../../src/core/users/get-user";
import { customerCountShape, customerOwnerShape, newestPageGroupsShape, newestPageShape, userByIdShape } from "../../src/core/users/hot-shapes";
import { queryUsers, type UserListQuery } from "../../src/core/users/query-users";
import { plan, recordingD1, type Recorded } from "./recording-d1";
import { call, unique } from "../harness";
import { world } from "../world";

let w: Awaited<ReturnType<typeof world>>;
let ids: string[];

function ctxOf(recorded: Recorded[] = []): Ctx {
  return {
    db: drizzle(recordingD1(recorded)),
    principal: { sub: "shapes", role: "tenant_admin", tenantId: w.tenant.id, customerId: null, resellerId: null, projectId: null, scopes: new Set(["users:read"]), issuedAt: 0 },
    correlationId: "shapes",
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    tokenLifetimeSeconds: 3631,
  };
}

beforeAll(async () => {
  w = await world({ customers: 1, groups: 3, subroles: [{ code: "viewer", label: "V", displayName: "V", permissions: ["customer_user:read"] }] });
  const c = w.customers[0]!;
  ids = [];
  for (let i = 0; i < 7; i++) {
    const r = await call("POST", `/v1/customer/${c.id}/users`, {
      token: w.tenant.admin,
      headers: { "x-tenant": w.tenant.domain },
      body: { firstName: `F${i}`, lastName: `L${i}`, email: `${unique("shape")}@example.com`, groups: w.groups.slice(0, i % 4).map((g) => ({ id: g.id })), ...(i % 2 ? { role: { name: "viewer" } } : {}) },
      expect: 201,
    });
    ids.push(r.body as string);
  }
});

describe("hot shapes", () => {
  it("Worth's default page: the same users, order, groups and total as the builders", async () => {
    const customerId = w.customers[0]!.id;
    for (const [offset, limit] of [[0, 3], [3, 3], [6, 3], [0, 10]] as const) {
      const q: UserListQuery = { scope: { customerId }, where: [], sort: [{ field: "createdAt", dir: "desc" }], page: { kind: "offset", offset, limit, withTotal: true } };
      const recorded: Recorded[] = [];
      const viaShapes = await queryUsers(ctxOf(recorded), q);
      expect(recorded.map((r) => r.sql)).toEqual([customerOwnerShape.sql, customerCountShape.sql, newestPageShape.sql, newestPageGroupsShape.sql]);
      const viaBuilders = await queryUsers(ctxOf(), { ...q, where: [{ op: "gte", field: "createdAt", value: 0 }] });
      expect(viaShapes).toEqual(viaBuilders);
      expect(viaShapes.total).toBe(7);
    }
  });

  it("a user by id: the same user as the builders", async () => {
    const customerId = w.customers[0]!.id;
    for (const userId of ids) {
      const recorded: Recorded[] = [];
      const viaShape = await getUser(ctxOf(recorded), { userId, customerId });
      expect(recorded.map((r) => r.sql)).toEqual([userByIdShape.sql]);
      expect(viaShape).toEqual(await getUser(ctxOf(), { userId, customerId, tenant: { id: w.tenant.id } }));
    }
  });

  it("every shape's plan walks an index", async () => {
    const customerId = w.customers[0]!.id;
    const recorded: Recorded[] = [];
    await queryUsers(ctxOf(recorded), { scope: { customerId }, where: [], sort: [{ field: "createdAt", dir: "desc" }], page: { kind: "offset", offset: 0, limit: 10, withTotal: true } });
    await getUser(ctxOf(recorded), { userId: ids[0]!, customerId });
    for (const r of recorded) {
      const lines = await plan(r);
      expect(lines.filter((l) => /^SCAN (?!CONSTANT ROW)(\w+)(?! USING)/.test(l)), `${r.sql}\n${lines.join("\n")}`).toEqual([]);
    }
  });
});
