import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects: "workers" runs inside workerd with the Worker's own wrangler.toml, the committed
// migrations applied by test/setup.ts exactly as `wrangler d1 migrations apply` applies them;
// "node" runs the few checks whose tools need Node (the OpenAPI validator).
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
                  BOOTSTRAP_CLIENT_ID: "bootstrap",
                  BOOTSTRAP_CLIENT_SECRET: "test-bootstrap-secret",
                  PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
                  SERVER_TIMING: "on",
                  REQUEST_LOG: "off",
                  RATE_LIMITS: "off",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            setupFiles: ["./test/setup.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**"],
          },
        },
        {
          test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"] },
        },
      ],
    },
  };
});
