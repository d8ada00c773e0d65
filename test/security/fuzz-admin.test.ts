/**
 * Schema-driven fuzzing of every admin API operation of /doc (issue 6 §3); the engine is
 * ./fuzz-engine.ts, the data the valid cases point at ./fuzz-world.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../harness";
import { FUZZ_CASES_PER_OPERATION } from "./fuzz.config";
import { fuzzOperation, operationsOf, type Doc } from "./fuzz-engine";
import { adminFixture, buildWorld, surfaceOf, type FuzzWorld } from "./fuzz-world";

const doc = (await call("GET", "/doc", { expect: 200 })).body as Doc;
const ops = operationsOf(doc).filter((o) => surfaceOf(o) === "admin");

let w: FuzzWorld;
beforeAll(async () => {
  w = await buildWorld(doc, { throwaway: ["projects", "resellers", "customers", "subroles", "groups", "accounts", "webhooks", "scimTokens"] });
}, 60_000);

describe(`fuzz: ${FUZZ_CASES_PER_OPERATION} cases per admin operation`, () => {
  for (const o of ops) {
    it(o.key, { timeout: 120_000 }, async () => {
      const t = await fuzzOperation(doc, o, adminFixture(w, o), w.secrets);
      // The generator reaches all three kinds, and its valid cases do succeed.
      expect(t.valid + t.odd + t.invalid).toBe(FUZZ_CASES_PER_OPERATION);
      expect(t.valid).toBeGreaterThan(0);
      expect(t.invalid).toBeGreaterThan(0);
      expect(t.ok2xx, "no valid case succeeded").toBeGreaterThan(0);
    });
  }
});
