/**
 * The Worth dialect (docs/api/worth.md, seeds 000–002) under /auth/api/v1: customer users and the
 * subroles they may hold. Each route maps Worth's wire to one core verb and back.
 */
import { dialectRouter } from "../../http/dialect";
import { authenticate, jsonBodies, userRouteLimit } from "../../http/middleware";
import { renderWorth } from "./errors";
import * as createUser from "./routes/create-user";
import * as getUser from "./routes/get-user";
import * as listSubroles from "./routes/list-subroles";
import * as listUsers from "./routes/list-users";
import * as updateUser from "./routes/update-user";

export function worthRouter() {
  const app = dialectRouter(renderWorth);
  app.use("*", authenticate(), userRouteLimit(), ...jsonBodies());
  for (const r of [createUser, listUsers, getUser, updateUser, listSubroles]) r.register(app);
  return app;
}
