// Prints the Worker bundle's size and fails when its gzip size exceeds the budget (KiB), so a
// dependency that bloats the cold start is caught in CI. Usage: node scripts/bundle-size.mjs FILE [BUDGET_KIB]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const file = process.argv[2] ?? "dist/index.js";
const budgetKiB = Number(process.argv[3] ?? 300);
const raw = readFileSync(file);
const gz = gzipSync(raw, { level: 9 }).length;
const kib = (n) => (n / 1024).toFixed(1);
console.log(`bundle ${file}: ${kib(raw.length)} KiB raw, ${kib(gz)} KiB gzip (budget ${budgetKiB} KiB gzip)`);
if (gz > budgetKiB * 1024) {
  console.error(`bundle over budget by ${kib(gz - budgetKiB * 1024)} KiB gzip`);
  process.exit(1);
}
