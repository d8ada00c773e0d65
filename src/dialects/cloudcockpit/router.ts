/**
 * The CloudCockpit dialect (docs/api/cloudcockpit.md, seed 004) under `/v1`: customer and reseller users, the
 * tenant-wide user list and its groups. Every call names its tenant with `X-Tenant`; errors are
 * answered in CloudCockpit's envelope (401/403 without a body) by one renderer.
 */
import { dialectRouter } from "../../http/dialect";
import { authenticate, userRouteLimit } from "../../http/middleware";
import { renderCloudCockpit } from "./errors";
import * as createCustomerUser from "./routes/create-customer-user";
import * as createResellerUser from "./routes/create-reseller-user";
import * as deleteUser from "./routes/delete-user";
import * as listCustomerUsers from "./routes/list-customer-users";
import * as listGroups from "./routes/list-groups";
import * as listUsers from "./routes/list-users";
import * as updateUser from "./routes/update-user";

export const ROUTES = [createCustomerUser, listCustomerUsers, createResellerUser, listUsers, listGroups, updateUser, deleteUser];

export function cloudcockpitRouter() {
  const app = dialectRouter(renderCloudCockpit);
  app.use("*", authenticate(), userRouteLimit());
  for (const r of ROUTES) r.register(app);
  return app;
}
