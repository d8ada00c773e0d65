// The floor: the same runtime doing the least possible work for each kind of request the product
// serves. No framework, no validation, no auth — what is left is workerd, the HTTP stack and D1.
//   GET  /json       a fixed JSON body
//   GET  /read/:id   one D1 primary-key read of a user row
//   POST /write      one D1 batch inserting a user row and an audit row
const FIXED = JSON.stringify({ status: "success", message: "Success", data: { ok: true } });
const json = (body, status = 200) => new Response(body, { status, headers: { "content-type": "application/json" } });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/json") return json(FIXED);
    if (url.pathname.startsWith("/read/")) {
      const row = await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(url.pathname.slice(6)).first();
      return row ? json(JSON.stringify(row)) : json('{"error":"not found"}', 404);
    }
    if (url.pathname === "/write" && request.method === "POST") {
      const id = crypto.randomUUID();
      const now = Date.now();
      const email = `${id}@floor.test`;
      await env.DB.batch([
        env.DB.prepare(
          "INSERT INTO users (id, tenant_id, customer_id, first_name, last_name, email, email_norm, status, email_verified, is_first_login, ext_auth_ref_id, created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, 'Floor', 'User', ?, ?, 'ACTIVE', 0, 1, ?, ?, 'floor', ?, 'floor')",
        ).bind(id, env.TENANT_ID, env.CUSTOMER_ID, email, email, crypto.randomUUID(), now, now),
        env.DB.prepare(
          "INSERT INTO audit_events (id, tenant_id, at, actor_id, action, target_type, target_id, customer_id, correlation_id, changes) VALUES (?, ?, ?, 'floor', 'user.created', 'user', ?, ?, ?, '{}')",
        ).bind(crypto.randomUUID(), env.TENANT_ID, now, id, env.CUSTOMER_ID, crypto.randomUUID()),
      ]);
      return json(JSON.stringify({ id }), 201);
    }
    return json('{"error":"not found"}', 404);
  },
};
