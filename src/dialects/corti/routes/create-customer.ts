/** POST /projects/{projectId}/customers — platform and tenant admins (scope admin). */
import { createProjectCustomer, type CustomerRow } from "../../../core/project-customers";
import { projectRef } from "../../../core/project-scope";
import { coreCtx } from "../../../http/context";
import { once } from "../../../http/idempotency";
import { cortiConflict } from "../errors";
import { cortiCustomerError, CustomerCreate, customerInput, CustomerSchema, customerToWire, ProjectParams } from "../wire";
import { cortiRoute, json, jsonBody } from "./common";

export const { route, register } = cortiRoute("post /projects/{projectId}/customers", "corti.createCustomer", "admin", {
  summary: "Create a customer in the project",
  description: "Its customerId (the key) is unique within the project; a project-narrowed token creates customers of its own project only.",
  request: { params: ProjectParams, body: jsonBody(CustomerCreate) },
  responses: {
    201: json(CustomerSchema, "The customer created"),
    ...cortiConflict("Another customer of the project has this customerId"),
  },
}, async (c) => {
  const { projectId } = c.req.valid("param");
  const body = c.req.valid("json");
  const ctx = coreCtx(c);
  const project = projectRef(ctx.principal, projectId);
  return once(
    c,
    (receipt) =>
      createProjectCustomer(ctx, project, customerInput(body), receipt).catch((err: unknown) => {
        throw cortiCustomerError(err);
      }),
    (row: CustomerRow) => c.json(customerToWire(row), 201),
  );
});
