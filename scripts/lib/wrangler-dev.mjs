// `wrangler dev` as a child process, for the scripts that drive a real local server (the benchmark,
// the webhook crash drill): each server in its own process group, so stop() (SIGTERM) or kill()
// (SIGKILL: a crash) ends it with its workerd children; every server is stopped when the script exits.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const children = new Set();

/** Runs a wrangler command to completion; its stdout, or an error with its output. */
export function wr(args, opts = {}) {
  const r = spawnSync(wrangler, args, { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true" }, ...opts });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts `wrangler dev` on loopback and waits until it answers. */
export async function start(name, args, port) {
  const child = spawn(wrangler, ["dev", "--port", String(port), "--ip", "127.0.0.1", ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true" },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  if (process.env.ECHO_PROFILE) child.stdout.on("data", (d) => String(d).split("\n").filter((l) => l.includes("PROFILE")).forEach((l) => console.log(l)));
  child.stderr.on("data", (d) => (output += d));
  children.add(child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
    if (child.exitCode !== null) break;
  }
  throw new Error(`${name} did not start:\n${output.slice(-3000)}`);
}

/** Ends a server with `signal` (SIGTERM: a stop; SIGKILL: a crash) and waits for it to be gone. */
export async function stop(child, signal = "SIGTERM") {
  if (!children.has(child)) return;
  children.delete(child);
  const gone = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
  await gone;
}

function stopAll() {
  for (const c of [...children]) {
    children.delete(c);
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}
process.on("exit", stopAll);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => (stopAll(), process.exit(130)));

/** `--var NAME:value` arguments for `wrangler dev`. */
export const varArgs = (vars) => Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
