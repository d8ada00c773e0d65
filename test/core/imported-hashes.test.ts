/**
 * Imported password hashes (src/core/credentials/imported.ts, docs/migration.md#password-hashes):
 * published vectors — crypt_blowfish's and PHP's for bcrypt, the Argon2 reference's for argon2i,
 * RFC 9106 §5.3 for argon2id —, and scrypt / PBKDF2 vectors made by another implementation
 * (Python's hashlib), each verifying its password and refusing another; formats and costs refused
 * at import with their reason; and a migrated user's first login through Corti's token endpoint,
 * after which its hash is this directory's own.
 */
import { env } from "cloudflare:workers";
import { argon2id } from "@noble/hashes/argon2.js";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { parseImportedHash, verifyImportedHash } from "../../src/core/credentials/imported";
import { expectCortiError } from "../corti/helpers";
import { call, unique } from "../harness";
import { world } from "../world";

const VECTORS: [label: string, hash: string, password: string][] = [
  ["bcrypt $2a$ (crypt_blowfish)", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"],
  ["bcrypt $2a$ (crypt_blowfish)", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"],
  ["bcrypt $2y$ (PHP manual)", "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "rasmuslerdorf"],
  ["argon2i PHC (reference README)", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "password"],
  ["scrypt PHC (hashlib)", "$scrypt$ln=14,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$rUlT3uujl8CxxbZjZWeE02L89ySkNQacKkdPhCwRHak", "correct horse battery"],
  ["PBKDF2-SHA256 PHC (hashlib)", "$pbkdf2-sha256$i=29000,l=32$TmFDbC1zYWx0LTE2Ynl0ZQ$auMr+qdyksRj6YA/APZud4dSh62CKglUk1no+wXfYJY", "correct horse battery"],
  ["PBKDF2-SHA256 passlib (hashlib)", "$pbkdf2-sha256$29000$TmFDbC1zYWx0LTE2Ynl0ZQ$auMr.qdyksRj6YA/APZud4dSh62CKglUk1no.wXfYJY", "correct horse battery"],
  ["PBKDF2-SHA512 passlib (hashlib)", "$pbkdf2-sha512$25000$TmFDbC1zYWx0LTE2Ynl0ZQ$GtZiUT/zrZocWFlFe9FzRclNH55PvCrhMCAyvs3CbWjOoKTSs2zVaTB2WeJG3TMUf12srq7IcdHctQW03JxBiQ", "correct horse battery"],
  ["PBKDF2-SHA256 Django (hashlib)", "pbkdf2_sha256$100000$djangosalt123$ITOyDA2PsgjCKE6bTFdIOCbuf0/6hgYqi45l4wSzGa0=", "correct horse battery"],
];

describe("imported password hashes", () => {
  it.each(VECTORS)("%s: its password verifies, another does not", async (_label, hash, password) => {
    expect(parseImportedHash(hash)).not.toHaveProperty("error");
    expect(await verifyImportedHash(password, hash)).toBe(true);
    expect(await verifyImportedHash(`${password}x`, hash)).toBe(false);
  });

  it("argon2id is the RFC 9106 §5.3 function (secret and associated data included)", () => {
    const f = (n: number, b: number) => new Uint8Array(n).fill(b);
    const tag = argon2id(f(32, 1), f(16, 2), { t: 3, m: 32, p: 4, dkLen: 32, key: f(8, 3), personalization: f(12, 4) });
    expect([...tag].map((x) => x.toString(16).padStart(2, "0")).join("")).toBe("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  });

  it("refuses what it does not import, and what would cost a login too much, with the reason", () => {
    const refused: [string, string][] = [
      ["$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", "Not a password hash this directory imports: bcrypt, Argon2id/Argon2i, scrypt or PBKDF2-SHA256/SHA512 (see docs/migration.md)."],
      ["$6$rounds=5000$salt$hash", "Not a password hash this directory imports: bcrypt, Argon2id/Argon2i, scrypt or PBKDF2-SHA256/SHA512 (see docs/migration.md)."],
      ["{SSHA}abcdef", "Not a password hash this directory imports: bcrypt, Argon2id/Argon2i, scrypt or PBKDF2-SHA256/SHA512 (see docs/migration.md)."],
      ["plain text", "Not a password hash this directory imports: bcrypt, Argon2id/Argon2i, scrypt or PBKDF2-SHA256/SHA512 (see docs/migration.md)."],
      ["$2b$15$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "bcrypt cost 15 is outside 4–14."],
      [
        "$argon2id$v=19$m=262144,t=3,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "Argon2 m=262144,t=3,p=1 costs more than a login may (m ≤ 65536 KiB, t ≤ 10, m·t ≤ 131072, p ≤ 16).",
      ],
      ["$argon2id$v=18$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "Argon2 version 18 is not 16 or 19."],
      ["$scrypt$ln=16,r=8,p=1$TmFDbC1zYWx0$rUlT3uujl8Cx", "scrypt N=65536,r=8,p=1 costs more than a login may (128·N·r ≤ 32 MiB, p ≤ 16)."],
      // Django's default (600,000): WebCrypto in production Workers stops at 100,000.
      ["pbkdf2_sha256$600000$djangosalt123$sU4EXmBnZ9x3cGwfvufNUl42yGB2wel6ROE07EVQcxs=", "PBKDF2 iterations must be 1000–100000 (more cost a Worker seconds per login: import the user without its hash)."],
    ];
    for (const [hash, error] of refused) expect({ hash, parsed: parseImportedHash(hash) }).toEqual({ hash, parsed: { error } });
  });
});

describe("a migrated user's first login", () => {
  const PASSWORD = "Migrated-passw0rd-2026";
  const made: [string, () => Promise<string>][] = [
    ["bcrypt cost 10", async () => bcrypt.hashSync(PASSWORD, 10)],
    ["argon2id m=19456,t=2,p=1 (OWASP)", async () => {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u)).replace(/=+$/, "");
      return `$argon2id$v=19$m=19456,t=2,p=1$${b64(salt)}$${b64(argon2id(PASSWORD, salt, { t: 2, m: 19456, p: 1, dkLen: 32 }))}`;
    }],
  ];

  it.each(made)("%s: logs in through Corti's /auth/token, and its hash becomes this directory's own", async (_label, make) => {
    const w = await world({ projects: 1, customers: [{ name: "M", project: 0, key: "m" }], users: [{ via: "corti", customer: 0, email: `${unique("mig")}@example.com`, firstName: "Mi", lastName: "Grated" }] });
    const u = w.users[0]!;
    // What an import writes: the hash as it came.
    const imported = await make();
    await env.DB.prepare("update users set password_hash = ? where id = ?").bind(imported, u.id).run();
    expectCortiError(await call("POST", "/functions/v1/public/auth/token", { body: { email: u.email, password: "Not-the-passw0rd-2026" } }), 401);
    const ok = await call("POST", "/functions/v1/public/auth/token", { body: { email: u.email, password: PASSWORD } });
    expect(ok.status, ok.text).toBe(200);
    // The rehash rides the login's deferred write.
    let stored = imported;
    for (let i = 0; i < 50 && stored === imported; i++) {
      await new Promise((r) => setTimeout(r, 20));
      stored = (await env.DB.prepare("select password_hash as h from users where id = ?").bind(u.id).first<string>("h")) as string;
    }
    expect(stored).toMatch(/^pbkdf2-sha256\$v=1\$i=100000\$/);
    expect((await call("POST", "/functions/v1/public/auth/token", { body: { email: u.email, password: PASSWORD } })).status).toBe(200);
  });
});
