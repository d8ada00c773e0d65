/**
 * Schema-driven fuzzing of every Worth, Corti and CloudCockpit operation of /doc and of both token
 * endpoints (issue 6 §3); the engine is ./fuzz-engine.ts, the data ./fuzz-world.ts. Also checks
 * that the fuzz files together cover every operation /doc documents.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../harness";
import { FUZZ_CASES_PER_OPERATION } from "./fuzz.config";
import { fuzzOperation, operationsOf, type Doc } from "./fuzz-engine";
import { buildWorld, dialectFixture, surfaceOf, type FuzzWorld } from "./fuzz-world";

const doc = (await call("GET", "/doc", { expect: 200 })).body as Doc;
const ops = operationsOf(doc).filter((o) => surfaceOf(o) !== "admin");

let w: FuzzWorld;
beforeAll(async () => {
  w = await buildWorld(doc, { throwaway: ["users"] });
}, 60_000);

it("every operation of /doc is fuzzed: the admin file takes /api/v1, this file the rest", () => {
  const all = operationsOf(doc);
  expect(all.filter((o) => surfaceOf(o) === undefined).map((o) => o.key)).toEqual([]);
  expect(all.length).toBeGreaterThan(50);
});

describe(`fuzz: ${FUZZ_CASES_PER_OPERATION} cases per dialect operation`, () => {
  for (const o of ops) {
    it(o.key, { timeout: 120_000 }, async () => {
      const t = await fuzzOperation(doc, o, dialectFixture(w, o), w.secrets);
      expect(t.valid + t.odd + t.invalid).toBe(FUZZ_CASES_PER_OPERATION);
      expect(t.valid).toBeGreaterThan(0);
      // An operation that takes no input of its own (SCIM's discovery resources: only the bookmark
      // header every operation has, which the fuzzer leaves to test/edge/) has nothing to get wrong.
      const takesInput = (o.op.parameters ?? []).some((p) => p.name !== "X-D1-Bookmark") || o.op.requestBody !== undefined;
      expect(t.invalid > 0).toBe(takesInput);
      expect(t.ok2xx, "no valid case succeeded").toBeGreaterThan(0);
    });
  }
});
