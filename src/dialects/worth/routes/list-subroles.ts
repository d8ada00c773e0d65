/** GET /customers/{customerID}/subroles — the subroles a user of the customer may hold. */
import { z } from "@hono/zod-openapi";
import { subrolesForCustomer } from "../../../core/subroles-for-customer";
import { coreCtx } from "../../../http/context";
import { worthRoute } from "../route";
import { json } from "../../../http/openapi";
import { SubrolesResponse, subroleToWire, UuidParam } from "../wire";

export const { route, register } = worthRoute("get /customers/{customerID}/subroles", "worth.listCustomerSubroles", "users:read", {
  summary: "Get Customer Subroles",
  description: "The customer's own subroles and the tenant-wide ones, by code.",
  request: { params: z.object({ customerID: UuidParam("customerID") }) },
  responses: {
    200: json(SubrolesResponse, "OK"),
  },
}, async (c) => {
  const { customerID } = c.req.valid("param");
  const subroles = await subrolesForCustomer(coreCtx(c), customerID);
  return c.json({ status: "success" as const, message: "Success", data: subroles.map(subroleToWire) }, 200);
});
