/** GET /customers/{customerID}/users/{userID} — one record, as in the list (seed 001). */
import { z } from "@hono/zod-openapi";
import { getUser } from "../../../core/users/get-user";
import { conditionalGet } from "../../../http/etag";
import { coreCtx } from "../../../http/context";
import { worthRoute } from "../route";
import { json } from "../../../http/openapi";
import { UserResponse, userToWire, UuidParam } from "../wire";

export const { route, register } = worthRoute("get /customers/{customerID}/users/{userID}", "worth.getCustomerUser", "users:read", {
  summary: "Get Customer User By ID",
  description: "One user of the customer; an unknown user is 404 NOT_FOUND \"Customer user Not Found\".",
  versioned: "read",
  request: { params: z.object({ customerID: UuidParam("customerID"), userID: UuidParam("userID") }) },
  responses: {
    200: json(UserResponse, "OK"),
  },
}, async (c) => {
  const { customerID, userID } = c.req.valid("param");
  const user = await getUser(coreCtx(c), { userId: userID, customerId: customerID });
  return conditionalGet(c, user, () => c.json({ status: "success" as const, message: "Success", data: userToWire(user) }, 200));
});
