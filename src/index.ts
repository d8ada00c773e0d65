import { buildApp } from "./app";
import { cron } from "./cron";
import type { EventMessage } from "./core/webhooks/outbox";
import { consume } from "./webhooks/consumer";
import { consumeImports, IMPORTS_DEAD_LETTER_QUEUE, IMPORTS_QUEUE, type ImportMessage } from "./imports/consumer";
import type { AppBindings } from "./http/types";

// Built once per isolate: routes, schemas and the OpenAPI registry are never rebuilt per request.
const app = buildApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  // The Cron Trigger of wrangler.toml (src/cron.ts): expired Idempotency-Key records go; events a crash left unqueued are sent.
  scheduled: (_controller, env, ctx) => ctx.waitUntil(cron(env)),
  // The webhook Queue and its dead-letter queue (src/webhooks/consumer.ts); the imports Queue and its own (src/imports/consumer.ts).
  queue: (batch, env) =>
    batch.queue === IMPORTS_QUEUE || batch.queue === IMPORTS_DEAD_LETTER_QUEUE ? consumeImports(batch as MessageBatch<ImportMessage>, env) : consume(batch as MessageBatch<EventMessage>, env),
} satisfies ExportedHandler<AppBindings>;
