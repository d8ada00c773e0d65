import { buildApp } from "./app";
import type { AppBindings } from "./http/types";

// Built once per isolate: routes, schemas and the OpenAPI registry are never rebuilt per request.
const app = buildApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<AppBindings>;
