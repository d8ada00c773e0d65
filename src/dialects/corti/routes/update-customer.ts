/** PATCH /projects/{projectId}/customers/{customerId} — platform and tenant admins (scope admin). */
import { updateProjectCustomer } from "../../../core/project-customers";
import { projectRef } from "../../../core/project-scope";
import { coreCtx } from "../../../http/context";
import { cortiCustomerError, CustomerParams, CustomerPatch, customerPatch, CustomerSchema, customerToWire } from "../wire";
import { cortiRoute, json, jsonBody } from "./common";

export const { route, register } = cortiRoute("patch /projects/{projectId}/customers/{customerId}", "corti.updateCustomer", "admin", {
  summary: "Update a customer of the project",
  description: "displayName, tenantName, region, isNfr (null clears tenantName or region).",
  request: { params: CustomerParams, body: jsonBody(CustomerPatch) },
  responses: { 200: json(CustomerSchema, "The customer as updated") },
}, async (c) => {
  const { projectId, customerId } = c.req.valid("param");
  const body = c.req.valid("json");
  const ctx = coreCtx(c);
  const row = await updateProjectCustomer(ctx, projectRef(ctx.principal, projectId), customerId, customerPatch(body)).catch((err: unknown) => {
    throw cortiCustomerError(err);
  });
  return c.json(customerToWire(row), 200);
});
