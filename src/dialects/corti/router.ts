/**
 * The Corti dialect (docs/api/corti.md, seed 003) under /functions/v1/public: a project's customers and
 * their users, addressed by key or id. Every route authenticates, counts against its tenant's rate
 * limit and takes JSON only; the users routes need users:read / users:write, the customers routes
 * scope admin with role platform or tenant_admin. POST /auth/token at this base is the token router's.
 */
import { dialectRouter } from "../../http/dialect";
import { authenticate, jsonBodies, userRouteLimit } from "../../http/middleware";
import { renderCorti } from "./errors";
import * as createCustomer from "./routes/create-customer";
import * as createUser from "./routes/create-user";
import * as deleteUser from "./routes/delete-user";
import * as listCustomers from "./routes/list-customers";
import * as listUsers from "./routes/list-users";
import * as updateCustomer from "./routes/update-customer";
import * as updateUser from "./routes/update-user";

export function cortiRouter() {
  const app = dialectRouter(renderCorti);
  // Scoped to /projects so that /auth/token (same base, token router) and unknown paths are untouched.
  app.use("/projects/*", authenticate(), userRouteLimit(), ...jsonBodies());

  for (const r of [createCustomer, listCustomers, updateCustomer, createUser, listUsers, updateUser, deleteUser]) r.register(app);
  return app;
}
