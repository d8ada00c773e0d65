/**
 * How hard the schema-driven fuzzer (test/security/fuzz-*.test.ts) pushes: cases per operation of
 * /doc and the seed. CI runs 200 cases per operation with a fixed seed, so a failure reproduces;
 * locally `VITE_FUZZ_CASES=2000 VITE_FUZZ_SEED=123 npx vitest run test/security/fuzz` runs more or
 * other cases (vitest passes only `VITE_`-prefixed variables into workerd, as `import.meta.env`).
 */
const env = (import.meta as unknown as { env?: Record<string, string | undefined> }).env ?? {};

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The CI floor; an environment value may raise it, never lower it. */
const FLOOR = 200;

/** Fuzz cases run against every operation of /doc. */
export const FUZZ_CASES_PER_OPERATION = Math.max(FLOOR, positive(env.VITE_FUZZ_CASES) ?? FLOOR);

/** The base seed; each operation's seed is derived from it and the operation's name. */
export const FUZZ_SEED = positive(env.VITE_FUZZ_SEED) ?? 20_261_030;

/** `VITE_FUZZ_VERBOSE=1` logs, per operation, how many cases of each kind got each status. */
export const FUZZ_VERBOSE = env.VITE_FUZZ_VERBOSE === "1";
