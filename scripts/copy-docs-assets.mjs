// Copies Swagger UI's browser files from the swagger-ui-dist package into public/docs/vendor/,
// which the Worker serves as static assets for /docs (no CDN: the page works offline).
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "node_modules", "swagger-ui-dist");
const to = join(root, "public", "docs", "vendor");
if (!existsSync(from)) {
  console.warn("swagger-ui-dist is not installed; /docs will have no assets");
  process.exit(0);
}
mkdirSync(to, { recursive: true });
for (const file of ["swagger-ui.css", "swagger-ui-bundle.js"]) copyFileSync(join(from, file), join(to, file));
console.log("docs assets copied to public/docs/vendor/");
