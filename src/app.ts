/**
 * The root app: request context (correlation id, db, timing, log line), the dialect routers under
 * their bases, the OpenAPI document at /doc and the reference page at /docs. Hono calls notFound
 * only on the root, so the root picks the 404 body by path prefix.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DomainError, notFound as notFoundError } from "./core/errors";
import { adminRouter } from "./dialects/admin/router";
import { renderProblem } from "./dialects/admin/errors";
import { renderCloudCockpit } from "./dialects/cloudcockpit/errors";
import { cloudcockpitRouter } from "./dialects/cloudcockpit/router";
import { renderCorti } from "./dialects/corti/errors";
import { cortiRouter } from "./dialects/corti/router";
import { renderWorth } from "./dialects/worth/errors";
import { worthRouter } from "./dialects/worth/router";
import { tokenRouter } from "./dialects/token/router";
import { docsPage } from "./docs/page";
import { normaliseError, type ErrorRenderer } from "./http/errors";
import { requestContext } from "./http/middleware";
import type { AppEnv } from "./http/types";

/** Which dialect answers for a path: the longest matching base wins. */
const RENDERERS: [prefix: string, render: ErrorRenderer][] = [
  ["/auth/api/v1/", renderWorth],
  ["/functions/v1/public/", renderCorti],
  ["/v1/", renderCloudCockpit],
  ["/api/v1/", renderProblem],
];

function rendererFor(path: string): ErrorRenderer {
  for (const [prefix, render] of RENDERERS) if (path.startsWith(prefix)) return render;
  return renderProblem;
}

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.use("*", requestContext());

  app.route("/api/v1", adminRouter());
  app.route("/", tokenRouter(false));
  app.route("/functions/v1/public", tokenRouter(true));
  app.route("/auth/api/v1", worthRouter());
  app.route("/functions/v1/public", cortiRouter());
  app.route("/v1", cloudcockpitRouter());

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  app.openAPIRegistry.registerComponent("securitySchemes", "clientBasic", {
    type: "http",
    scheme: "basic",
    description: "OAuth 2.0 client authentication (RFC 6749 §2.3.1) at POST /auth/token",
  });
  app.doc31("/doc", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Customer users",
      version: "0.1.0",
      description:
        "One customer-user directory, four surfaces: the admin API (/api/v1), and the Worth, Corti and CloudCockpit dialects. Obtain a token at POST /auth/token.",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  app.get("/docs", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    c.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'");
    return c.html(docsPage());
  });

  // Built once: which methods each documented path answers, so that a known path with another
  // method is a 405 with `Allow` (in the dialect's body), and only unknown paths are 404.
  const routeTable = app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+/g, "[^/]+")}/?$`) }));
  app.notFound((c: Context<AppEnv>) => {
    const allowed = [...new Set(routeTable.filter((r) => r.pattern.test(c.req.path)).map((r) => r.method))];
    const err =
      allowed.length > 0
        ? new DomainError("METHOD_NOT_ALLOWED", `Method ${c.req.method} is not allowed here; use ${allowed.join(", ")}.`)
        : notFoundError("route", "No such route.");
    c.set("error", err);
    const res = rendererFor(c.req.path)(c, err);
    if (allowed.length > 0) res.headers.set("Allow", allowed.join(", "));
    return res;
  });
  app.onError((thrown, c) => {
    const err = normaliseError(thrown);
    c.set("error", err);
    return rendererFor(c.req.path)(c, err);
  });
  return app;
}
