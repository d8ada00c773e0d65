/**
 * SCIM 2.0 (docs/scim.md, RFC 7643/7644) under `/scim/v2`: one customer's users, provisioned by its
 * identity provider with a SCIM token (an access token of any other kind is 401 here, and a SCIM
 * token is 401 everywhere else). Errors in SCIM's body; every change is audited (and a webhook
 * event) like any other surface's. A request notes its token's use after the response.
 */
import { touchScimToken } from "../../core/scim/tokens";
import { verifyScimToken } from "../../auth/tokens";
import { dialectRouter } from "../../http/dialect";
import { authenticate, userRouteLimit } from "../../http/middleware";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../http/types";
import { renderScim } from "./errors";
import * as createUser from "./routes/create-user";
import * as deleteUser from "./routes/delete-user";
import * as getGroup from "./routes/get-group";
import * as getUser from "./routes/get-user";
import * as listGroups from "./routes/list-groups";
import * as patchGroup from "./routes/patch-group";
import * as replaceGroup from "./routes/replace-group";
import * as listUsers from "./routes/list-users";
import * as patchUser from "./routes/patch-user";
import * as replaceUser from "./routes/replace-user";
import * as resourceTypes from "./routes/resource-types";
import * as schemas from "./routes/schemas";
import * as serviceProviderConfig from "./routes/service-provider-config";

export const ROUTES = [listUsers, createUser, getUser, replaceUser, patchUser, deleteUser, listGroups, getGroup, replaceGroup, patchGroup, serviceProviderConfig, resourceTypes, schemas];

/** After the response: the token's `lastUsedAt` (at most one write a minute per token). */
const noteTokenUse = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  await next();
  const sub = c.var.principal.sub;
  if (c.res.status !== 401) c.var.afterResponse(() => touchScimToken(c.var.db, sub.slice("scim:".length), Date.now()));
};

export function scimRouter() {
  const app = dialectRouter(renderScim);
  app.use("*", authenticate(verifyScimToken), userRouteLimit(), noteTokenUse());
  for (const r of ROUTES) r.register(app);
  return app;
}
