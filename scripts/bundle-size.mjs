// Prints the Worker bundle's size, what dominates it (with esbuild's metafile), and fails when its
// gzip size exceeds the budget, so a dependency that bloats the cold start is caught in CI.
// Usage: node scripts/bundle-size.mjs [FILE=dist/index.js] [BUDGET_KIB=300] [METAFILE=dist/bundle-meta.json]
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const file = process.argv[2] ?? "dist/index.js";
const budgetKiB = Number(process.argv[3] ?? 300);
const metafile = process.argv[4] ?? "dist/bundle-meta.json";
const raw = readFileSync(file);
const gz = gzipSync(raw, { level: 9 }).length;
const kib = (n) => (n / 1024).toFixed(1);
console.log(`bundle ${file}: ${kib(raw.length)} KiB raw, ${kib(gz)} KiB gzip (budget ${budgetKiB} KiB gzip)`);

if (existsSync(metafile)) {
  const meta = JSON.parse(readFileSync(metafile, "utf8"));
  const byPackage = new Map();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = m ? m[1] : path.startsWith("src/") ? "src (this project)" : "other";
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
  const top = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log("largest parts (bytes in output, before gzip):");
  for (const [name, bytes] of top) console.log(`  ${name.padEnd(28)} ${kib(bytes).padStart(7)} KiB  ${((100 * bytes) / total).toFixed(0)}%`);
}

if (gz > budgetKiB * 1024) {
  console.error(`bundle over budget by ${kib(gz - budgetKiB * 1024)} KiB gzip`);
  process.exit(1);
}
