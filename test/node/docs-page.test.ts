/**
 * /docs must work with the network cut off: every script and stylesheet it loads is same-origin
 * and exists among the Worker's static assets (public/, filled by `npm install`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { buildApp } from "../../src/app";

it("GET /docs loads only same-origin assets that exist in public/, under a same-origin CSP", async () => {
  const res = await buildApp().request("http://api.test/docs", {}, { REQUEST_LOG: "off" });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  const html = await res.text();
  expect(html).not.toMatch(/https?:\/\//);
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
  expect(refs).toEqual(["/docs/vendor/swagger-ui.css", "/docs/vendor/swagger-ui-bundle.js", "/docs/init.js"]);
  for (const ref of refs) {
    const file = join(import.meta.dirname, "..", "..", "public", ref);
    expect(existsSync(file), ref).toBe(true);
    expect(readFileSync(file, "utf8")).not.toMatch(/(?:src|href)=["']https?:\/\/(?:cdn|unpkg|fonts)/);
  }
  expect(readFileSync(join(import.meta.dirname, "..", "..", "public", "docs", "init.js"), "utf8")).toContain('url: "/doc"');
});
