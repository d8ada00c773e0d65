// Lint rules, including the layer boundaries of STYLE.md: the core knows nothing of hono or the
// dialects, dialects never touch drizzle, and cloudflare:test stays in test/.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const testOnly = { name: "cloudflare:test", message: "cloudflare:test belongs to test/ only." };

export default tseslint.config(
  { ignores: ["node_modules/", "**/.wrangler/", "public/docs/vendor/", "worker-configuration.d.ts", "dist/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [testOnly], patterns: [] }] },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [testOnly],
          patterns: [
            { group: ["hono", "hono/*", "@hono/*"], message: "The core never imports hono." },
            { group: ["**/dialects/**", "**/http/**"], message: "The core never imports a transport." },
            { group: ["**/auth/**", "../auth", "../../auth"], message: "The core never imports src/auth: auth (tokens, the token endpoint's logic) builds on the core, not the reverse." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/dialects/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [testOnly], patterns: [{ group: ["drizzle-orm", "drizzle-orm/*", "**/db/client"], message: "Dialects call core verbs; they never query the store." }] },
      ],
    },
  },
  {
    files: ["scripts/**/*.mjs", "bench/**/*.mjs", "bench/**/*.js"],
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        URL: "readonly",
        fetch: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
        performance: "readonly",
        crypto: "readonly",
        TextEncoder: "readonly",
        Response: "readonly",
      },
    },
  },
  {
    files: ["public/**/*.js"],
    languageOptions: { globals: { window: "readonly", SwaggerUIBundle: "readonly" } },
  },
);
