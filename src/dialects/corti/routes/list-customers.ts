/** GET /projects/{projectId}/customers?page=&pageSize= — platform and tenant admins (scope admin). */
import { listProjectCustomers } from "../../../core/project-customers";
import { projectRef } from "../../../core/project-scope";
import { coreCtx } from "../../../http/context";
import { CustomerList, customerToWire, PageQuery, pageWindow, ProjectParams } from "../wire";
import { cortiRoute, json } from "./common";

export const { route, register } = cortiRoute("get /projects/{projectId}/customers", "corti.listCustomers", "admin", {
  summary: "List the project's customers",
  description: "Oldest first.",
  request: { params: ProjectParams, query: PageQuery },
  responses: { 200: json(CustomerList, "A page of the project's customers") },
}, async (c) => {
  const { projectId } = c.req.valid("param");
  const q = c.req.valid("query");
  const ctx = coreCtx(c);
  const page = await listProjectCustomers(ctx, projectRef(ctx.principal, projectId), pageWindow(q));
  return c.json({ customers: page.customers.map(customerToWire), pagination: { page: q.page, pageSize: q.pageSize, hasNextPage: page.hasMore } }, 200);
});
