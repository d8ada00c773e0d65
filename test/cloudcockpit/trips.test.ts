/**
 * D1 round trips per CloudCockpit request, X-Tenant resolution included (it rides in the verb's own
 * batch): measured from Server-Timing and held to the budgets (list 1, create 1, update 1,
 * delete 1: the reads a write depends on ride in its batch, docs/scaling.md). Printed for the closing note.
 */
import { expect, it } from "vitest";
import { dbTrips, type Reply } from "../harness";
import { cc, ccWorld, createCcUser, newUser } from "./helpers";

it("every route within its budget, for every role", async () => {
  const w = await ccWorld();
  const lines: string[] = [];
  const measure = (label: string, r: Reply, status: number, budget: number) => {
    expect(r.status, `${label}: ${r.text}`).toBe(status);
    const n = dbTrips(r);
    expect(n, label).toBe(budget);
    lines.push(`  ${label.padEnd(58)} ${n} / ${budget}`);
  };
  for (const { label, token } of w.tokens.all) {
    const u = await createCcUser(w);
    measure(`${label} POST /v1/customer/{id}/users`, await cc(w, "POST", `/customer/${w.customer.id}/users`, { token, body: newUser() }), 201, 1);
    measure(`${label} GET  /v1/customer/{id}/users`, await cc(w, "GET", `/customer/${w.customer.id}/users`, { token }), 200, 1);
    if (label !== "customer") measure(`${label} POST /v1/reseller/{id}/users`, await cc(w, "POST", `/reseller/${w.reseller.id}/users`, { token, body: newUser() }), 201, 1);
    const p1 = await cc(w, "GET", "/users?pageSize=1", { token });
    measure(`${label} GET  /v1/users`, p1, 200, 1);
    measure(`${label} GET  /v1/users?continuationToken`, await cc(w, "GET", `/users?pageSize=1&continuationToken=${encodeURIComponent(p1.body.continuationToken)}`, { token }), 200, 1);
    measure(`${label} GET  /v1/users/groups`, await cc(w, "GET", "/users/groups", { token }), 200, 1);
    measure(`${label} PATCH /v1/users/{email}`, await cc(w, "PATCH", `/users/${encodeURIComponent(u.email)}`, { token, body: { firstName: "Changed", groups: [{ id: w.groups[0]!.id }] } }), 204, 1);
    measure(`${label} DELETE /v1/users/{email}`, await cc(w, "DELETE", `/users/${encodeURIComponent(u.email)}`, { token }), 204, 1);
  }
  measure("404 unknown customer", await cc(w, "POST", `/customer/${crypto.randomUUID()}/users`, { body: newUser() }), 404, 1);
  measure("403 X-Tenant of another tenant", await cc(w, "GET", "/users", { tenant: "other.example.com" }), 403, 1);
  measure("400 invalid body (nothing read)", await cc(w, "POST", `/customer/${w.customer.id}/users`, { body: {} }), 400, 0);
  console.log(`D1 round trips per CloudCockpit request (measured / budget):\n${lines.join("\n")}`);
});
