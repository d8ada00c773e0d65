/**
 * The query plan of Worth's default list query (docs/decisions/worth-list-query.md#round-trips-and-query-plan): the statements queryUsers
 * sends for `GET /customers/{id}/users` are recorded and run again under EXPLAIN QUERY PLAN. The
 * page must walk the partial index users_customer_created_idx backwards (no scan of the users
 * table, no sort step), and the count must read one counter row (customer_user_counts).
 */
import { drizzle } from "drizzle-orm/d1";
import { plan, recordingD1, type Recorded } from "../perf/recording-d1";
import { beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../src/core/context";
import { queryUsers } from "../../src/core/users/query-users";
import { ListQuery, listQueryFromWire } from "../../src/dialects/worth/wire";
import { createWorthUser, worthWorld, type WorthWorld } from "./helpers";

let w: WorthWorld;
beforeAll(async () => {
  w = await worthWorld();
  for (let i = 0; i < 3; i++) await createWorthUser(w);
});



describe("the default list query", () => {
  it("uses users_customer_created_idx: no scan of users, no sort step, one batch", async () => {
    const recorded: Recorded[] = [];
    const ctx: Ctx = {
      db: drizzle(recordingD1(recorded)),
      principal: { sub: "plan", role: "tenant_admin", tenantId: w.tenant.id, customerId: null, resellerId: null, projectId: null, scopes: new Set(["users:read"]), issuedAt: 0 },
      correlationId: "plan",
      now: () => Date.now(),
      newId: () => crypto.randomUUID(),
      tokenLifetimeSeconds: 3631,
    };
    const result = await queryUsers(ctx, listQueryFromWire(w.customer.id, ListQuery.parse({}), []));
    expect(result.total).toBe(3);
    expect(recorded).toHaveLength(4); // owner, count, page, the page's groups — sent as one batch

    const [owner, count, page, groups] = await Promise.all(recorded.map(plan));
    // The page's groups: one statement, by the link table's primary key over the page's ids.
    expect(groups!.some((l) => /^SEARCH (ug|user_groups) USING (COVERING )?INDEX sqlite_autoindex_user_groups_1|^SEARCH user_groups USING/.test(l)), groups!.join("\n")).toBe(true);
    expect(groups!.filter((l) => /^SCAN (users|user_groups|groups)\b/.test(l) && !/USING/.test(l)), groups!.join("\n")).toEqual([]);

    expect(page!.some((l) => /^SEARCH users USING INDEX users_customer_created_idx \(customer_id=\?\)/.test(l)), page!.join("\n")).toBe(true);
    // total_items reads the customer's live-user counter (kept by triggers), not a row per user.
    expect(count, count!.join("\n")).toEqual(["SEARCH customer_user_counts USING INDEX sqlite_autoindex_customer_user_counts_1 (customer_id=?)"]);
    for (const lines of [count, page] as string[][]) {
      expect(lines.filter((l) => /^SCAN users\b/.test(l) && !/USING/.test(l)), lines.join("\n")).toEqual([]);
    }
    expect(page!.some((l) => /TEMP B-TREE/.test(l)), page!.join("\n")).toBe(false);
    expect(owner!.every((l) => /^SEARCH customers USING/.test(l)), owner!.join("\n")).toBe(true);
  });
});
