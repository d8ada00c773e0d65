/**
 * The hot query shapes of the user verbs, rendered to SQL once per isolate (src/db/shapes.ts):
 * the read of a user by id under its customer (every dialect's get, and the first read of its
 * update and delete), and the default page of a customer's users (Worth's list without filters
 * or sort: owner, live-user count, page, the page's groups). Each is the same SQL the general
 * builders produce for that case — test/perf/hot-shapes.test.ts compares them — so the verbs pick
 * a shape when the request has its form and fall back to the builders otherwise.
 */
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { customers, customerUserCounts, groups, subroles, userGroups, users } from "../../db/schema";
import { Shape } from "../../db/shapes";
import { PAGE_GROUPS, userListSelection, userSelection } from "./view";

/** A live user by id under a customer id (no project key, e-mail or tenant in the address). */
export const userByIdShape = new Shape<{ userId: string; customerId: string }>(
  (db, p) =>
    db
      .select(userSelection)
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(and(isNull(users.deletedAt), eq(users.id, p("userId")), eq(users.customerId, p("customerId")))),
  userSelection,
);

const OWNER = { id: customers.id, tenantId: customers.tenantId, resellerId: customers.resellerId, projectId: customers.projectId };

/** A customer's reach columns by id (the owner check of a customer's list). */
export const customerOwnerShape = new Shape<{ customerId: string }>((db, p) => db.select(OWNER).from(customers).where(eq(customers.id, p("customerId"))), OWNER);

const COUNT = { n: sql<number>`coalesce(sum(${customerUserCounts.live}), 0)`.mapWith(Number) };

/** A customer's live users, from the counter the triggers keep. */
export const customerCountShape = new Shape<{ customerId: string }>(
  (db, p) => db.select(COUNT).from(customerUserCounts).where(eq(customerUserCounts.customerId, p("customerId"))),
  COUNT,
);

type PageValues = { customerId: string; limit: number; offset: number };

/** A page of a customer's live users, newest first (ties by id): Worth's default order. */
function newestFirst(db: Parameters<ConstructorParameters<typeof Shape>[0]>[0], p: (name: keyof PageValues & string) => ReturnType<typeof sql.placeholder>, columns: Record<string, unknown>) {
  return db
    .select(columns as typeof userListSelection)
    .from(users)
    .leftJoin(customers, eq(customers.id, users.customerId))
    .leftJoin(subroles, eq(subroles.id, users.subroleId))
    .where(and(isNull(users.deletedAt), eq(users.customerId, p("customerId"))))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(p("limit"))
    .offset(p("offset"));
}

export const newestPageShape = new Shape<PageValues>((db, p) => newestFirst(db, p, userListSelection), userListSelection);

/** The groups of that page's users, in one statement. */
export const newestPageGroupsShape = new Shape<PageValues>(
  (db, p) =>
    db
      .select(PAGE_GROUPS)
      .from(userGroups)
      .innerJoin(groups, eq(groups.id, userGroups.groupId))
      .where(inArray(userGroups.userId, newestFirst(db, p, { id: users.id }))),
  PAGE_GROUPS,
);
