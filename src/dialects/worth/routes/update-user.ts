/** PATCH /customers/{customerID}/users/{userID} — seed 002. */
import { z } from "@hono/zod-openapi";
import { updateUser } from "../../../core/users/update-user";
import { preconditions, tagged } from "../../../http/etag";
import { coreCtx, passwordDeps } from "../../../http/context";
import { worthRoute } from "../route";
import { json } from "../../../http/openapi";
import { PATCH_WORDING, patchNotFound, worded } from "../errors";
import { PatchBody, patchInput, UpdatedResponse, UuidParam } from "../wire";

export const { route, register } = worthRoute("patch /customers/{customerID}/users/{userID}", "worth.updateCustomerUser", "users:write", {
  summary: "Update Customer User By ID",
  description:
    "Changes any non-empty subset of first_name, last_name, email, mobile, subrole and status. An e-mail taken by another user is a 400 INVALID; " +
    "an unknown user is a 404 with errorCode INVALID, as Worth documents it.",
  versioned: "write",
  request: {
    params: z.object({ customerID: UuidParam("customerID"), userID: UuidParam("userID") }),
    body: { required: true, content: { "application/json": { schema: PatchBody } } },
  },
  responses: {
    200: json(UpdatedResponse, "OK"),
    404: patchNotFound,
  },
}, async (c) => {
  const { customerID, userID } = c.req.valid("param");
  const patch = patchInput(c.req.valid("json"));
  const user = await worded(updateUser(coreCtx(c), { userId: userID, customerId: customerID }, patch, passwordDeps(c), preconditions(c)), PATCH_WORDING);
  return tagged(c.json({ status: "success" as const, message: "User details updated successfully" }, 200), user);
});
