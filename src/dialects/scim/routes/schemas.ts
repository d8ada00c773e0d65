/** GET /scim/v2/Schemas — the attributes of a User as served here (RFC 7643 §7). */
import { z } from "@hono/zod-openapi";
import { confirmScimToken } from "../../../core/scim/users";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { GROUP_URN, LIST_URN, scimJson, USER_URN, listResponse } from "../wire";

interface Attribute {
  name: string;
  type: "string" | "boolean" | "complex" | "dateTime" | "reference";
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: "readOnly" | "readWrite" | "writeOnly" | "immutable";
  returned: "always" | "default" | "never";
  uniqueness: "none" | "server";
  subAttributes?: Attribute[];
}

const attr = (name: string, description: string, o: Partial<Attribute> = {}): Attribute => ({
  name,
  type: "string",
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...o,
});

/** What this service provider keeps of a User, in RFC 7643's own vocabulary. */
const USER_ATTRIBUTES: Attribute[] = [
  attr("userName", "The user's e-mail: unique in the tenant, compared case-insensitively.", { required: true, uniqueness: "server" }),
  attr("externalId", "The identity provider's id for the user.", { caseExact: true }),
  attr("name", "The user's name.", {
    type: "complex",
    subAttributes: [attr("givenName", "First name (required on create and replace)."), attr("familyName", "Last name (required on create and replace)."), attr("formatted", "givenName familyName.", { mutability: "readOnly" })],
  }),
  attr("displayName", "givenName familyName.", { mutability: "readOnly" }),
  attr("emails", "The user's e-mail (the userName), type work, primary.", { type: "complex", multiValued: true, mutability: "readOnly", subAttributes: [attr("value", "The e-mail."), attr("type", "work."), attr("primary", "true.", { type: "boolean" })] }),
  attr("phoneNumbers", "The user's mobile number.", { type: "complex", multiValued: true, subAttributes: [attr("value", "The number.", { caseExact: true }), attr("type", "mobile."), attr("primary", "true.", { type: "boolean" })] }),
  attr("active", "Whether the user may sign in (status ACTIVE / INACTIVE).", { type: "boolean" }),
  attr("password", "Sets the user's password; never returned.", { mutability: "writeOnly", returned: "never", caseExact: true }),
  attr("groups", "The user's groups.", { type: "complex", multiValued: true, mutability: "readOnly", subAttributes: [attr("value", "The group's id.", { caseExact: true }), attr("display", "The group's name.")] }),
];

const AttributeFields = {
  name: z.string(),
  type: z.string(),
  multiValued: z.boolean(),
  description: z.string(),
  required: z.boolean(),
  caseExact: z.boolean(),
  mutability: z.string(),
  returned: z.string(),
  uniqueness: z.string(),
};
/** An attribute and its sub-attributes (one level deep: RFC 7643 has no deeper nesting). */
const AttributeSchema = z.object({ ...AttributeFields, subAttributes: z.array(z.object(AttributeFields)).optional() }).openapi("Scim_Attribute");
const SchemaList = z
  .object({
    schemas: z.array(z.literal(LIST_URN)),
    totalResults: z.number().int(),
    startIndex: z.number().int(),
    itemsPerPage: z.number().int(),
    Resources: z.array(z.object({ schemas: z.array(z.string()), id: z.string(), name: z.string(), description: z.string(), attributes: z.array(AttributeSchema), meta: z.object({ resourceType: z.string(), location: z.string() }) })),
  })
  .openapi("Scim_SchemaList");

/** What a customer's client sees of a Group: its name (the tenant's) and its members of that customer. */
const GROUP_ATTRIBUTES: Attribute[] = [
  attr("displayName", "The group's name: the tenant's, read-only through SCIM.", { required: true, mutability: "readOnly", uniqueness: "server" }),
  attr("members", "The customer's users in the group.", { type: "complex", multiValued: true, subAttributes: [attr("value", "A user's id.", { caseExact: true, mutability: "immutable" }), attr("display", "The user's e-mail.", { mutability: "readOnly" })] }),
];

export const { route, register } = scimRoute("get /Schemas", "scim.listSchemas", "users:read", {
  summary: "Schemas",
  description: "The User and Group schemas, with the attributes this service provider keeps.",
  responses: { 200: scimJson(SchemaList, "A ListResponse of schemas") },
}, async (c) => {
  await confirmScimToken(coreCtx(c));
  const user = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    id: USER_URN,
    name: "User",
    description: "A user of the customer",
    attributes: USER_ATTRIBUTES,
    meta: { resourceType: "Schema", location: `${scimBase(c)}/Schemas/${USER_URN}` },
  };
  const group = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    id: GROUP_URN,
    name: "Group",
    description: "A group of the tenant",
    attributes: GROUP_ATTRIBUTES,
    meta: { resourceType: "Schema", location: `${scimBase(c)}/Schemas/${GROUP_URN}` },
  };
  return scimResponse(c, listResponse([user, group]), 200);
});
