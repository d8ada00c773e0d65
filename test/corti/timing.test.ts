/**
 * Password CPU cost, measured and printed, never asserted (timings depend on the machine). In
 * workerd the clock advances only across I/O, so these are wall-clock figures of the awaited
 * WebCrypto calls as the test runtime reports them; the note in the Corti decisions records what
 * was measured.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../src/core/credentials/password";
import { call } from "../harness";
import { cortiUser, login, PASSWORD, world } from "./helpers";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe("password cost (printed only)", () => {
  it("one hash, one verification, one login over HTTP", async () => {
    const runs = 5;
    const hash: number[] = [];
    const verify: number[] = [];
    let stored = "";
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      stored = await hashPassword(PASSWORD, env.PASSWORD_PEPPER);
      hash.push(performance.now() - t);
      t = performance.now();
      expect(await verifyPassword(PASSWORD, stored, env.PASSWORD_PEPPER)).toBe(true);
      verify.push(performance.now() - t);
    }
    const w = await world();
    const u = await cortiUser(w, { password: PASSWORD });
    const logins: { ms: number; timing: string | null }[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const r = await login(u.email, PASSWORD);
      logins.push({ ms: performance.now() - t, timing: r.headers.get("server-timing") });
      expect(r.status).toBe(200);
    }
    const create = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: `${crypto.randomUUID()}@example.com`, firstName: "T", lastName: "T", password: PASSWORD } });
    console.log(
      JSON.stringify({
        pbkdf2Iterations: Number(/i=(\d+)/.exec(stored)?.[1]),
        hashMsMedian: median(hash),
        verifyMsMedian: median(verify),
        loginMsMedian: median(logins.map((l) => l.ms)),
        loginServerTiming: logins.map((l) => l.timing),
        createWithPasswordServerTiming: create.headers.get("server-timing"),
      }),
    );
  });
});
