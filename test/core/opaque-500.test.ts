/**
 * A 500 says nothing but that it happened (and the correlation id where the surface has one), in
 * every surface: never the error's text, SQL, a hash or a stack.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { renderProblem } from "../../src/dialects/admin/errors";
import { renderCloudCockpit } from "../../src/dialects/cloudcockpit/errors";
import { renderCorti } from "../../src/dialects/corti/errors";
import { renderWorth } from "../../src/dialects/worth/errors";
import { normaliseError, type ErrorRenderer } from "../../src/http/errors";
import type { AppEnv } from "../../src/http/types";

const leaky = new Error("D1_ERROR: UNIQUE constraint failed: users.email_norm: SQLITE_CONSTRAINT pbkdf2-sha256$v=1$i=100000$abc$def", {
  cause: new Error("select * from users where password_hash = 'sha256$xyz'"),
});

async function render(renderer: ErrorRenderer) {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => {
    c.set("correlationId", "corr-500");
    return renderer(c, normaliseError(leaky));
  });
  const res = await app.request("/");
  return { status: res.status, text: await res.text() };
}

describe("opaque 500s", () => {
  it.each([
    ["admin", renderProblem, { type: "about:blank", title: "Internal Server Error", status: 500, detail: "Internal Server Error", code: "INTERNAL", correlationId: "corr-500" }],
    ["worth", renderWorth, { message: "Internal Server Error", errorCode: "ERR_INTERNAL_SERVER" }],
    ["corti", renderCorti, { message: "Internal Server Error", code: "INTERNAL_SERVER_ERROR" }],
  ] as const)("%s", async (_name, renderer, body) => {
    const r = await render(renderer);
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual(body);
  });

  it("cloudcockpit", async () => {
    const r = await render(renderCloudCockpit);
    expect(r.status).toBe(500);
    const body = JSON.parse(r.text);
    expect(body).toMatchObject({ statusCode: 500, correlationId: "corr-500" });
    expect(r.text).not.toMatch(/SQLITE|D1_ERROR|pbkdf2|sha256|select|users\./i);
  });

  it("no surface leaks the error's text", async () => {
    for (const renderer of [renderProblem, renderWorth, renderCorti, renderCloudCockpit]) {
      expect((await render(renderer)).text).not.toMatch(/SQLITE|D1_ERROR|pbkdf2|sha256|select|constraint|at \w/i);
    }
  });
});
