import { OpenAPIHono } from "@hono/zod-openapi";
import { normaliseError, validationError, type ErrorRenderer } from "./errors";
import type { AppEnv } from "./types";

/**
 * A dialect's router: it owns both of its error paths — the validation hook and `onError` — so
 * every failure under its prefix is answered in its envelope through its one renderer.
 */
export function dialectRouter(render: ErrorRenderer): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const err = validationError(result.error, result.target === "json" ? "body" : result.target);
        c.set("error", err);
        return render(c, err);
      }
    },
  });
  app.onError((thrown, c) => {
    const err = normaliseError(thrown);
    c.set("error", err);
    return render(c, err);
  });
  return app;
}
