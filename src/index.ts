import { buildApp } from "./app";
import { purgeKeys } from "./cron";
import type { AppBindings } from "./http/types";

// Built once per isolate: routes, schemas and the OpenAPI registry are never rebuilt per request.
const app = buildApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  // The Cron Trigger of wrangler.toml: the expired Idempotency-Key records go (src/cron.ts).
  scheduled: (_controller, env, ctx) => ctx.waitUntil(purgeKeys(env)),
} satisfies ExportedHandler<AppBindings>;
