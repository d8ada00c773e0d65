import { env } from "cloudflare:workers";
import { it } from "vitest";
import { call } from "../harness";
import { CORTI, cortiUser, world } from "../corti/helpers";

it("debug", async () => {
  const w = await world();
  const password = "Right-password-123456!";
  const u = await cortiUser(w, { password });
  const row = () => env.DB.prepare("select * from login_throttle where user_id = ?").bind(u.id).first();
  const login = (p: string) => { const t0 = Date.now(); return call("POST", `${CORTI}/auth/token`, { body: { email: u.email, password: p } }).then((r) => ({ s: r.status, st: r.headers.get("server-timing"), t0, t1: Date.now() })); };
  await env.DB.prepare("insert into login_throttle values (?, 9, null, 0)").bind(u.id).run();
  console.log(JSON.stringify(await Promise.all([login(password), login("wrong-password-xxxxxx")])), JSON.stringify(await row()));
  await env.DB.prepare("insert into login_throttle values (?, 9, null, 0) on conflict do update set failures = 9, locked_until = null").bind(u.id).run();
  console.log(JSON.stringify(await Promise.all([1,2,3,4,5].map(() => login(password)))), JSON.stringify(await row()));
  const p = performance.now();
  console.log(JSON.stringify(await Promise.all([1,2,3,4,5].map(() => login("wrong-password-xxxxxx")))), JSON.stringify(await row()));
  console.log(performance.now() - p);
}, 60000);
