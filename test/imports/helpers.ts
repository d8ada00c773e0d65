/**
 * Import jobs in tests: upload a file through the real route, wait for the imports Queue's consumer
 * (it runs in the background, as in production) and read the job back.
 */
import { expect } from "vitest";
import { call, type Reply } from "../harness";

export interface UploadOptions {
  token: string;
  type?: string;
  mode?: "create" | "upsert";
  key?: string;
}

export function upload(tenantId: string, body: BodyInit, o: UploadOptions): Promise<Reply> {
  const headers: Record<string, string> = { "content-type": o.type ?? "application/x-ndjson" };
  if (o.key !== undefined) headers["idempotency-key"] = o.key;
  return call("POST", `/api/v1/tenants/${tenantId}/imports${o.mode ? `?mode=${o.mode}` : ""}`, { token: o.token, headers, raw: body });
}

export const ndjson = (rows: unknown[]) => rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n";

/** Polls the job until it is completed or failed. */
export async function finished(tenantId: string, jobId: string, token: string, ms = 60_000): Promise<Reply> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await call("GET", `/api/v1/tenants/${tenantId}/imports/${jobId}`, { token, expect: 200 });
    if (r.body.status === "completed" || r.body.status === "failed") return r;
    if (Date.now() > deadline) throw new Error(`import ${jobId} still ${r.body.status}: ${r.text.slice(0, 500)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Uploads, expects 202, and waits for the end. */
export async function imported(tenantId: string, body: BodyInit, o: UploadOptions): Promise<Reply> {
  const r = await upload(tenantId, body, o);
  expect(r.status, r.text).toBe(202);
  return finished(tenantId, r.body.id as string, o.token);
}
