/**
 * The Corti dialect (docs/api/corti.md, seed 003) under /functions/v1/public: a project's customers and
 * their users, addressed by key or id. Every route authenticates, counts against its tenant's rate
 * limit and takes JSON only; the users routes need users:read / users:write, the customers routes
 * scope admin with role platform or tenant_admin. POST /auth/token at this base is the token router's.
 */
import { dialectRouter } from "../../http/dialect";
import { authenticate, jsonBodies, userRouteLimit } from "../../http/middleware";
import { renderCorti } from "./errors";
import { registerCreateCustomer } from "./routes/create-customer";
import { registerCreateUser } from "./routes/create-user";
import { registerDeleteUser } from "./routes/delete-user";
import { registerListCustomers } from "./routes/list-customers";
import { registerListUsers } from "./routes/list-users";
import { registerUpdateCustomer } from "./routes/update-customer";
import { registerUpdateUser } from "./routes/update-user";

export function cortiRouter() {
  const app = dialectRouter(renderCorti);
  // Scoped to /projects so that /auth/token (same base, token router) and unknown paths are untouched.
  app.use("/projects/*", authenticate(), userRouteLimit(), ...jsonBodies());

  registerCreateCustomer(app);
  registerListCustomers(app);
  registerUpdateCustomer(app);
  registerCreateUser(app);
  registerListUsers(app);
  registerUpdateUser(app);
  registerDeleteUser(app);
  return app;
}
