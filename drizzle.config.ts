import { defineConfig } from "drizzle-kit";

// Generates flat SQL files in migrations/, the only source of the schema: wrangler (local and
// remote) and the test setup apply exactly these files.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
  migrations: { prefix: "index" },
});
