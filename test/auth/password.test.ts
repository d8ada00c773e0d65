import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword, passwordLengthOk, PBKDF2_ITERATIONS, verifyPassword } from "../../src/core/credentials/password";

const pepper = env.PASSWORD_PEPPER;

describe("password hashing", () => {
  it("stays inside what production Workers accept: PBKDF2-SHA256 at most 100,000 iterations", async () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    const stored = await hashPassword("correct horse battery staple", pepper);
    expect(stored).toMatch(/^pbkdf2-sha256\$v=1\$i=100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    // The parameter actually stored is what production will run (local workerd does not enforce the
    // 100,000 cap that production applies, so the check is on the value, see SECURITY.md).
    expect(Number(/\$i=(\d+)\$/.exec(stored)?.[1])).toBeLessThanOrEqual(100_000);
  });

  it("verifies the right password only; salts differ; the pepper matters", async () => {
    const a = await hashPassword("correct horse battery staple", pepper);
    const b = await hashPassword("correct horse battery staple", pepper);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery staple", a, pepper)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", a, pepper)).toBe(false);
    expect(await verifyPassword("correct horse battery staple", a, "another-pepper-0123456789")).toBe(false);
    expect(await verifyPassword("correct horse battery staple", null, pepper)).toBe(false);
    expect(await verifyPassword("x", "garbage", pepper)).toBe(false);
  });

  it("normalises NFKC, so NFC and NFD spellings verify alike; never truncates", async () => {
    const nfc = "Ångström-Café-1234".normalize("NFC");
    const nfd = nfc.normalize("NFD");
    expect(nfc).not.toBe(nfd);
    const stored = await hashPassword(nfc, pepper);
    expect(await verifyPassword(nfd, stored, pepper)).toBe(true);
    const long = "😀".repeat(64);
    const storedLong = await hashPassword(long, pepper);
    expect(await verifyPassword("😀".repeat(63), storedLong, pepper)).toBe(false);
  });

  it("length is counted in code points after normalisation: 16–64", () => {
    expect(passwordLengthOk("a".repeat(15))).toBe(false);
    expect(passwordLengthOk("a".repeat(16))).toBe(true);
    expect(passwordLengthOk("a".repeat(64))).toBe(true);
    expect(passwordLengthOk("a".repeat(65))).toBe(false);
    expect(passwordLengthOk("😀".repeat(64))).toBe(true);
    expect(passwordLengthOk("😀".repeat(65))).toBe(false);
  });

  it("refuses to hash without a configured pepper", async () => {
    await expect(hashPassword("correct horse battery staple", "")).rejects.toThrow(/PASSWORD_PEPPER/);
  });
});
