/**
 * The root app: request context (correlation id, db, timing, log line), the surfaces of
 * src/surfaces.ts under their bases, the OpenAPI document at /doc and the reference page at /docs.
 * Hono calls notFound only on the root, so the root picks the body of a 404, 405 or 500 by the
 * surface the path belongs to (longest base first).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DomainError, notFound as notFoundError } from "./core/errors";
import { docsPage } from "./docs/page";
import { normaliseError } from "./http/errors";
import { requestContext } from "./http/middleware";
import { withBookmarks } from "./http/bookmark-doc";
import { withReplayHeader } from "./http/idempotency";
import type { AppEnv } from "./http/types";
import { SURFACES, surfaceOf } from "./surfaces";

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.use("*", requestContext());

  // Routing before anything a router does (authentication, body checks): a documented path with
  // another method is a 405 with `Allow` in the dialect's body, whoever asks. Otherwise a router's
  // body middleware answers a PUT with 415 and its authentication answers a CORS preflight with 401.
  // Built on first use: which methods each path answers, once every route is registered. Exact
  // paths only: routing is strict, so `/api/v1/tenants/` is an unknown path (404) for every method.
  let routeTable: { pattern: RegExp; methods: string[] }[] | undefined;
  const allowedMethods = (path: string): string[] => {
    if (!routeTable) {
      const byPath = new Map<string, Set<string>>();
      for (const r of app.routes) if (r.method !== "ALL") byPath.set(r.path, (byPath.get(r.path) ?? new Set()).add(r.method));
      routeTable = [...byPath].map(([p, methods]) => ({
        pattern: new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+/g, "[^/]+")}$`),
        methods: [...methods],
      }));
    }
    const allowed = new Set<string>();
    for (const r of routeTable) if (r.pattern.test(path)) for (const m of r.methods) allowed.add(m);
    return [...allowed];
  };
  const methodNotAllowed = (c: Context<AppEnv>, allowed: string[]): Response => {
    const err = new DomainError("METHOD_NOT_ALLOWED", `Method ${c.req.method} is not allowed here; use ${allowed.join(", ")}.`);
    c.set("error", err);
    const res = surfaceOf(c.req.path).renderError(c, err);
    res.headers.set("Allow", allowed.join(", "));
    return res;
  };
  app.use("*", async (c, next) => {
    const allowed = allowedMethods(c.req.path);
    // Hono answers HEAD with the GET route.
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    if (allowed.length > 0 && !allowed.includes(method)) return methodNotAllowed(c, allowed);
    await next();
  });

  for (const surface of SURFACES) for (const router of surface.routers()) app.route(surface.base || "/", router);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  app.openAPIRegistry.registerComponent("securitySchemes", "clientBasic", {
    type: "http",
    scheme: "basic",
    description: "OAuth 2.0 client authentication (RFC 6749 §2.3.1) at POST /auth/token",
  });
  app.get("/doc", (c) =>
    c.json(
      withReplayHeader(withBookmarks(
        app.getOpenAPI31Document({
          openapi: "3.1.0",
          info: {
            title: "Customer users",
            version: "0.1.0",
            // Redocly's recommended rules ask for a license; the package is private (package.json).
            // (3.1's `identifier` passes through the generator, which does not type it.)
            license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" } as { name: string },
            description: `One customer-user directory, several surfaces: ${SURFACES.map((s) => `${s.name} (${s.base || "/"}): ${s.speaks}`).join("; ")}. Obtain a token at POST /auth/token.`,
          },
          servers: [{ url: new URL(c.req.url).origin }],
        }),
      )),
    ),
  );
  app.get("/docs", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    c.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'");
    return c.html(docsPage());
  });

  // Only unknown paths reach here (a known path with another method was answered above).
  app.notFound((c: Context<AppEnv>) => {
    const err = notFoundError("route", "No such route.");
    c.set("error", err);
    return surfaceOf(c.req.path).renderError(c, err);
  });
  app.onError((thrown, c) => {
    const err = normaliseError(thrown);
    c.set("error", err);
    return surfaceOf(c.req.path).renderError(c, err);
  });
  return app;
}
