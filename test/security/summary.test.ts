/**
 * The one line a CI log is read for: the sizes of the security suite, computed from the same data
 * its tests run (matrix.data.ts, jwt.cases.ts, and the fuzzer's fuzz.config.ts when present).
 */
import { expect, it } from "vitest";
import { JWT_SURFACES, countJwtAttacks } from "./jwt.cases";
import { MATRIX, MATRIX_CELLS, PRINCIPALS, TARGETS } from "./matrix.data";

// The fuzzer's figure, if its config is part of this tree (an eager glob: no file, no entry).
const fuzzConfig = (import.meta as unknown as { glob: (p: string, o: { eager: true }) => Record<string, { FUZZ_CASES_PER_OPERATION?: number }> }).glob("./fuzz.config.ts", {
  eager: true,
});

async function securitySummary(): Promise<string> {
  const jwt = await countJwtAttacks();
  const fuzz = Object.values(fuzzConfig)[0]?.FUZZ_CASES_PER_OPERATION;
  return (
    `security-summary: matrix cells=${MATRIX_CELLS} (routes=${MATRIX.length} × principals=${PRINCIPALS.length} × targets=${TARGETS.length}), ` +
    `jwt attack cases=${jwt.attacks} (× surfaces=${JWT_SURFACES.length}; + ${jwt.controls} accepted controls), ` +
    `fuzz cases per operation=${fuzz ?? "n/a"}`
  );
}

it("prints the security summary line", async () => {
  const line = await securitySummary();
  expect(line).toMatch(/^security-summary: matrix cells=\d+ \(routes=\d+ × principals=9 × targets=4\), jwt attack cases=\d+ \(× surfaces=5; \+ \d+ accepted controls\), fuzz cases per operation=(\d+|n\/a)$/);
  expect(MATRIX_CELLS).toBe(MATRIX.length * PRINCIPALS.length * TARGETS.length);
  console.log(line);
});
