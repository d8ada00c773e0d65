/**
 * The surfaces of the product, as data: each is a base path, the routers mounted there, the one
 * renderer that answers its errors (404, 405 and 500 included) and the tag its operations carry in
 * /doc. `app.ts` mounts and dispatches by looping over this list; the test suites read it too
 * (test/security/), so a surface added here is a surface every suite must cover.
 *
 * Adding a surface: a folder under src/dialects/, one entry here, a test folder
 * (docs/adding-a-surface.md).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { renderProblem } from "./dialects/admin/errors";
import { adminRouter } from "./dialects/admin/router";
import { renderCloudCockpit } from "./dialects/cloudcockpit/errors";
import { cloudcockpitRouter } from "./dialects/cloudcockpit/router";
import { renderCorti } from "./dialects/corti/errors";
import { cortiRouter } from "./dialects/corti/router";
import { renderScim } from "./dialects/scim/errors";
import { scimRouter } from "./dialects/scim/router";
import { tokenRouter } from "./dialects/token/router";
import { renderWorth } from "./dialects/worth/errors";
import { worthRouter } from "./dialects/worth/router";
import type { ErrorRenderer } from "./http/errors";
import type { AppEnv } from "./http/types";

export type SurfaceName = "admin" | "token" | "worth" | "corti" | "cloudcockpit" | "scim";

export interface Surface {
  name: SurfaceName;
  /** Where its routers are mounted; a path under it (`base` + "/…") is answered in its body. */
  base: string;
  /** The tag of its operations in /doc (the token endpoint documents itself under both of its mounts). */
  tag: string;
  /** What it speaks, for /doc and the README. */
  speaks: string;
  renderError: ErrorRenderer;
  /** Its routers, built once per isolate; each is mounted at `base`. */
  routers: () => OpenAPIHono<AppEnv>[];
}

export const SURFACES: readonly Surface[] = [
  {
    name: "admin",
    base: "/api/v1",
    tag: "Admin",
    speaks: "the product's own admin API: JSON camelCase, RFC 9457 problem details, cursor pages",
    renderError: renderProblem,
    routers: () => [adminRouter()],
  },
  {
    name: "token",
    base: "",
    tag: "Authentication",
    speaks: "OAuth 2.0 client credentials, and e-mail + password, at POST /auth/token",
    renderError: renderProblem,
    routers: () => [tokenRouter(false)],
  },
  {
    name: "worth",
    base: "/auth/api/v1",
    tag: "Worth",
    speaks: "Worth's customer-user endpoints (Auth Service)",
    renderError: renderWorth,
    routers: () => [worthRouter()],
  },
  {
    name: "corti",
    base: "/functions/v1/public",
    tag: "Corti",
    speaks: "Corti's project / customer / user endpoints and its e-mail + password login",
    renderError: renderCorti,
    routers: () => [tokenRouter(true), cortiRouter()],
  },
  {
    name: "cloudcockpit",
    base: "/v1",
    tag: "CloudCockpit",
    speaks: "CloudCockpit's portal users (X-Tenant, X-Correlation-Id)",
    renderError: renderCloudCockpit,
    routers: () => [cloudcockpitRouter()],
  },
  {
    name: "scim",
    base: "/scim/v2",
    tag: "SCIM",
    speaks: "SCIM 2.0 (RFC 7643/7644): one customer's users, provisioned by its identity provider with a SCIM token",
    renderError: renderScim,
    routers: () => [scimRouter()],
  },
];

/** Longest base first: the surface that answers for a path is the first whose base prefixes it. */
const BY_BASE = [...SURFACES].sort((a, b) => b.base.length - a.base.length);

/** The surface a path belongs to (the token surface, at the root, answers for anything else). */
export function surfaceOf(path: string): Surface {
  return BY_BASE.find((s) => s.base === "" || path.startsWith(`${s.base}/`)) as Surface;
}
