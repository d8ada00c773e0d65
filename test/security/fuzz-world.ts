/**
 * The data the fuzzer's valid requests point at: one tenant with projects, resellers, customers,
 * subroles, groups, accounts and users, plus throwaway rows for the DELETE operations to consume.
 * Built once per fuzz file (storage is per file), through the public API like any client would.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { EVENT_TYPES } from "../../src/core/webhooks/events";
import { call, create, unique, type Tenant } from "../harness";
import { PATCH_URN, scimToken } from "../scim/helpers";
import { world, type AccountSpec, type UserSpec } from "../world";
import { OMIT, uniqueDomain, uniqueEmail, type Doc, type Hints, type OpFixture, type Operation } from "./fuzz-engine";

export interface Row {
  id: string;
  [k: string]: unknown;
}

export interface FuzzWorld {
  doc: Doc;
  tenant: Tenant;
  platform: string;
  projects: Row[];
  resellers: Row[];
  customers: Row[];
  /** Subroles usable by the users of customers[0]: its own and a tenant-wide one. */
  subroles: Row[];
  groups: Row[];
  accounts: Row[];
  /** Webhook subscriptions, delivering to the tests' receiver (vitest.config.ts). */
  webhooks: Row[];
  /** A failed delivery of each of the world's own subscriptions (of no real event: a retry re-queues it, nothing is sent). */
  deliveries: Row[];
  /** Users of customers[0] (customers[0] has project projects[0] and a key). */
  users: Row[];
  /** A user of customers[0] with a password, and that password. */
  login: { email: string; password: string };
  /** An account of the tenant and its secret (for the token endpoint). */
  client: { id: string; secret: string };
  /** A SCIM token of customers[0] (docs/scim.md), issued through the admin API. */
  scim: string;
  /** Users of customers[0] made through SCIM: what SCIM's reads and writes point at (a replace changes their e-mail). */
  scimUsers: Row[];
  /** Import jobs of the tenant (docs/migration.md#import), each with a row error. */
  imports: Row[];
  /** Rows created to be deleted, per kind ("users" are users of customers[0]; "scimTokens" tokens of customers[0]). */
  throwaway: Record<string, Row[]>;
  /** Every secret the world knows: no response may contain one. */
  secrets: string[];
}

const PASSWORD = "Fuzz-P@ssw0rd-0123456789";

/** How many rows of each throwaway kind a world holds. */
const THROWAWAY = 25;

export async function buildWorld(doc: Doc, opts: { throwaway?: string[] } = {}): Promise<FuzzWorld> {
  /** The throwaway specs of a kind, when it is asked for. */
  const spare = <S>(kind: string, make: (i: number) => S): S[] => (opts.throwaway?.includes(kind) ? Array.from({ length: THROWAWAY }, (_, i) => make(i)) : []);
  const cro = { customer: 0, code: "cro", label: "CRO", displayName: "CRO", description: "d", permissions: ["customer_user:read", "customer_user:write"] };
  const worthUser = (email: string): UserSpec => ({ via: "worth", customer: 0, email, firstName: "Fuzz", lastName: "User", subrole: 0 });
  const login = { email: `${unique("login")}@fuzz.example.com`, password: PASSWORD };
  const w = await world({
    projects: [...Array.from({ length: 2 }, () => ({ key: unique("p").toLowerCase(), name: "Project" })), ...spare("projects", () => ({ key: unique("tp").toLowerCase(), name: "Throwaway" }))],
    resellers: [{ name: "Reseller" }, { name: "Reseller" }, ...spare("resellers", () => ({ name: "Throwaway" }))],
    customers: [
      { name: "Main", project: 0, reseller: 0, key: unique("c") },
      { name: "Second", project: 0, reseller: 1, key: unique("c") },
      { name: "Third" },
      ...spare("customers", () => ({ name: "Throwaway" })),
    ],
    subroles: [
      cro,
      { code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] },
      ...spare("subroles", () => ({ code: unique("ts").toLowerCase(), label: "T", displayName: "T", permissions: [] })),
    ],
    groups: [...Array.from({ length: 3 }, (_, i) => ({ name: `Group ${i}` })), ...spare("groups", () => ({ name: unique("tg") }))],
    accounts: [
      { name: "fuzz client", role: "tenant_admin", scopes: ["users:read", "users:write", "admin"] },
      { name: "Reader", role: "customer", customer: 0, scopes: ["users:read"] },
      { name: "Reader", role: "customer", customer: 0, scopes: ["users:read"] },
      ...spare("accounts", (): AccountSpec => ({ name: "Throwaway", role: "tenant_admin", scopes: [] })),
    ],
    users: [
      ...Array.from({ length: 8 }, () => worthUser(`${unique("u")}@fuzz.example.com`)),
      { via: "corti", customer: 0, email: login.email, firstName: "Log", lastName: "In", password: login.password },
      ...spare("users", (i) => worthUser(`${unique(`t${i}`)}@fuzz.example.com`)),
    ],
  });
  // Webhook subscriptions (the world helper has none): two of the world's own, then the throwaway ones.
  const hooks = await Promise.all(
    Array.from({ length: 2 + spare("webhooks", () => 0).length }, () => create(w.tenant, "webhooks", { url: `https://receiver.test/ok/${unique("fuzz")}`, events: ["*"] }) as Promise<Row>),
  );
  // Each kind's rows in the order of their specs: the world's own first, then its throwaway ones.
  const own = { projects: 2, resellers: 2, customers: 3, subroles: 2, groups: 3, accounts: 3, webhooks: 2, users: 9 } as const;
  const rows: Record<keyof typeof own, Row[]> = { ...w, webhooks: hooks, users: w.users.map((u) => ({ id: u.id, email: u.email })) };
  const throwaway: Record<string, Row[]> = {};
  for (const kind of opts.throwaway ?? []) {
    if (kind === "scimTokens") continue;
    if (!(kind in own)) throw new Error(kind);
    throwaway[kind] = rows[kind as keyof typeof own].slice(own[kind as keyof typeof own]);
  }
  const client = w.accounts[0]!;
  const scim = await scimToken(w.tenant, w.customers[0]!.id);
  const scimUsers = await Promise.all(
    Array.from({ length: 5 }, async () => {
      const r = await call("POST", "/scim/v2/Users", { token: scim, body: { userName: `${unique("s")}@fuzz.example.com`, name: { givenName: "Fuzz", familyName: "Scim" } }, expect: 201 });
      return { id: r.body.id as string };
    }),
  );
  if (opts.throwaway?.includes("scimTokens")) {
    throwaway.scimTokens = await Promise.all(
      Array.from({ length: THROWAWAY }, async () => (await call("POST", `/api/v1/tenants/${w.tenant.id}/customers/${w.customers[0]!.id}/scim-tokens`, { token: w.tenant.admin, body: {}, expect: 201 })).body as Row),
    );
  }
  const imports = await Promise.all(
    Array.from({ length: 2 }, async () => {
      const r = await call("POST", `/api/v1/tenants/${w.tenant.id}/imports`, { token: w.tenant.admin, headers: { "content-type": "application/x-ndjson" }, raw: '{"email":"fuzz"}\n', expect: 202 });
      return { id: r.body.id as string };
    }),
  );
  return {
    doc,
    tenant: w.tenant,
    imports,
    platform: w.platform,
    projects: rows.projects.slice(0, own.projects),
    resellers: rows.resellers.slice(0, own.resellers),
    customers: rows.customers.slice(0, own.customers),
    subroles: rows.subroles.slice(0, own.subroles),
    groups: rows.groups.slice(0, own.groups),
    accounts: rows.accounts.slice(0, own.accounts),
    webhooks: rows.webhooks.slice(0, own.webhooks),
    deliveries: await Promise.all(
      rows.webhooks.slice(0, own.webhooks).map(async (h) => {
        const id = crypto.randomUUID();
        const event = crypto.randomUUID();
        await env.DB.batch([
          env.DB.prepare("insert into webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, attempts, status, created_at, updated_at) values (?, ?, ?, ?, 'user.created', 8, 'failed', ?, ?)").bind(crypto.randomUUID(), w.tenant.id, h.id, event, Date.now(), Date.now()),
          env.DB.prepare("insert into webhook_attempts (id, tenant_id, webhook_id, event_id, event_type, attempt, outcome, response_status, duration_ms, error, at) values (?, ?, ?, ?, 'user.created', 8, 'failed', 500, 3, 'HTTP 500', ?)").bind(id, w.tenant.id, h.id, event, Date.now()),
        ]);
        return { id };
      }),
    ),
    // The password login's user (the ninth) is not one of the users the operations point at.
    users: rows.users.slice(0, 8),
    login,
    client: { id: client.clientId, secret: client.clientSecret },
    scim,
    scimUsers,
    throwaway,
    secrets: [env.JWT_SECRET, env.BOOTSTRAP_CLIENT_SECRET, env.PASSWORD_PEPPER, client.clientSecret, PASSWORD, scim],
  };
}

/** Mostly a real row's field, sometimes an id that exists nowhere (→ 404). */
export function realOr(rows: Row[], field = "id", other: fc.Arbitrary<unknown> = fc.uuid()): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...rows.map((r) => r[field])) }, { weight: 1, arbitrary: other });
}

const name = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0);

/**
 * An Idempotency-Key of a create: absent, or any visible ASCII made unique — two valid cases never
 * share a key (the same key with another body is a 422, which a valid case must not get).
 */
const idempotencyKey = fc.oneof(
  { weight: 1, arbitrary: fc.constant(OMIT) },
  { weight: 2, arbitrary: fc.stringMatching(/^[\x21-\x7E]{1,40}$/).map((k) => `${k}.${crypto.randomUUID()}`) },
);

/**
 * The conditional headers of a user's GET, PATCH and DELETE, as a valid case sends them: absent, or
 * ones that hold for any live user — If-Match `*`, If-None-Match naming no version (so the whole
 * user is answered). A stale tag (412) or a matching one (304) is not a valid case's answer.
 */
const conditionals: Hints = {
  "header:If-Match": fc.constantFrom(OMIT, "*", " * "),
  "header:If-None-Match": fc.constantFrom(OMIT, '"no-such-version"', 'W/"x.0", "y.0"'),
};
const scopesArb = (admin: boolean) => fc.subarray(admin ? ["users:read", "users:write", "admin"] : ["users:read", "users:write"]);

/** Hints and the token for one admin operation. */
export function adminFixture(w: FuzzWorld, o: Operation): OpFixture {
  const m = /^\/api\/v1\/tenants(?:\/\{tenantId\}(?:\/([a-z-]+)(?:\/\{(\w+)\}(\/deliveries(?:\/\{deliveryId\}\/retry)?|\/rotate-secret|\/errors)?|\/export)?)?)?$/.exec(o.path);
  const kind = m?.[1];
  const hints: Hints = {
    "path:tenantId": fc.oneof({ weight: 6, arbitrary: fc.constant(w.tenant.id) }, { weight: 1, arbitrary: fc.uuid() }),
    "query:cursor": fc.constant(OMIT),
    "body.domain": uniqueDomain(),
    "header:Idempotency-Key": idempotencyKey,
    ...conditionals,
  };
  // A customer's SCIM tokens: /tenants/{tenantId}/customers/{customerId}/scim-tokens[/{id}].
  if (o.path.includes("/scim-tokens")) {
    hints["path:customerId"] = realOr(w.customers);
    hints["path:id"] = realOr(w.throwaway.scimTokens ?? []);
  }
  if (kind && m?.[2]) {
    const pool = kind === "users" ? w.users : o.method === "DELETE" && !m[3] ? w.throwaway[kind] : (w as unknown as Record<string, Row[]>)[kind];
    // PATCH of an account never targets the client the other cases authenticate with.
    const rows = kind === "accounts" && o.method !== "DELETE" ? pool!.slice(1) : pool!;
    hints[`path:${m[2]}`] = realOr(rows);
  }
  switch (kind) {
    case "customers":
      hints.body = fc
        .record(
          {
            name,
            projectId: fc.constantFrom(null, ...w.projects.map((p) => p.id)),
            resellerId: fc.constantFrom(null, ...w.resellers.map((r) => r.id)),
            key: fc.oneof(fc.constant(null), fc.stringMatching(/^[a-z0-9]{1,20}$/)),
            tenantName: fc.oneof(fc.constant(null), name),
            region: fc.constantFrom("eu", "us", null),
            isNfr: fc.boolean(),
          },
          { requiredKeys: o.method === "POST" ? ["name"] : [] },
        )
        // A key needs a project (keys are unique per project).
        .map((b) => (b.key != null && b.projectId == null ? { ...b, projectId: w.projects[0]!.id } : b));
      break;
    case "subroles":
      hints["body.customerId"] = fc.constantFrom(null, ...w.customers.map((c) => c.id));
      break;
    case "accounts":
      hints.body =
        o.method === "POST"
          ? fc.oneof(
              fc.record({ name, role: fc.constant("tenant_admin"), scopes: scopesArb(true), disabled: fc.boolean() }, { requiredKeys: ["name", "role", "scopes"] }),
              fc.record({ name, role: fc.constant("customer"), customerId: fc.constantFrom(...w.customers.map((c) => c.id)), scopes: scopesArb(false) }),
              fc.record({ name, role: fc.constant("reseller"), resellerId: fc.constantFrom(...w.resellers.map((r) => r.id)), scopes: scopesArb(false), projectId: fc.constantFrom(null, w.projects[0]!.id) }),
            )
          : fc.record({ name, scopes: scopesArb(false), disabled: fc.boolean() }, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0);
      break;
    case "users":
      // An export resumes after a user of the tenant (another id is a 400: test/admin/export.test.ts).
      hints["query:after"] = fc.constantFrom(OMIT, ...w.users.map((u) => u.id));
      hints["query:customerId"] = realOr(w.customers);
      hints["query:resellerId"] = realOr(w.resellers);
      hints["query:email"] = realOr(w.users, "email", uniqueEmail());
      break;
    case "webhooks":
      hints["path:deliveryId"] = realOr(w.deliveries);
      // Always a URL the receiver answers (a refused one is its own test: test/webhooks/); any events.
      hints["body.url"] = fc.string({ minLength: 1, maxLength: 20 }).map((s) => `https://receiver.test/ok/${encodeURIComponent(s)}-${unique("f")}`);
      hints["body.customerId"] = fc.constantFrom(null, ...w.customers.map((c) => c.id));
      // Types never repeat (the schema's uniqueItems).
      hints["body.events"] = fc.oneof(fc.constant(["*"]), fc.subarray([...EVENT_TYPES], { minLength: 1 }));
      break;
    case "imports":
      // A row for one of the tenant's customers (created, or a row error when the e-mail is taken); CSV the same, as text.
      hints["body.customerId"] = realOr(w.customers);
      hints["body@text/csv"] = fc
        .record({ customer: fc.constantFrom(...w.customers.map((c) => c.id)), first: fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}$/), email: uniqueEmail() })
        .map((r) => `customerId,email,firstName,lastName\r\n${r.customer},${r.email},"${r.first}",Fuzz\r\n`);
      break;
    case "audit-events":
      hints["query:actorId"] = fc.constantFrom(w.accounts[0]!.id, crypto.randomUUID());
      hints["query:targetId"] = realOr(w.users);
      break;
  }
  // Creating tenants is the platform's; everything else is the tenant admin's.
  const token = o.path === "/api/v1/tenants" ? w.platform : w.tenant.admin;
  const validRefusals: OpFixture["validRefusals"] = [];
  // Taking a keyed customer out of its project is refused by the data, not the schema.
  if (kind === "customers" && o.method === "PATCH") validRefusals.push((r) => r.status === 400 && r.body?.errors?.[0]?.field === "key" && /needs a projectId/.test(r.text));
  return { token, hints, validRefusals };
}

/** Hints and the token for one Worth, Corti or CloudCockpit operation, or the token endpoint. */
export function dialectFixture(w: FuzzWorld, o: Operation): OpFixture {
  const [c0] = w.customers as [Row];
  const hints: Hints = { "header:Idempotency-Key": idempotencyKey, ...conditionals };
  const deleting = o.method === "DELETE";
  // The DELETE operations of Corti, CloudCockpit and SCIM each consume a third of the throwaway users.
  const third = Math.floor(w.throwaway.users!.length / 3);
  const share = o.path.startsWith("/scim/") ? 2 : o.path.startsWith("/v1/") ? 1 : 0;
  const users = !deleting ? w.users : w.throwaway.users!.slice(share * third, (share + 1) * third);
  if (o.path.endsWith("/auth/token")) {
    const clientCreds = fc.record(
      { grant_type: fc.constant("client_credentials"), client_id: fc.constant(w.client.id), client_secret: fc.constant(w.client.secret), scope: fc.subarray(["users:read", "users:write", "admin"]).map((s) => s.join(" ")) },
      { requiredKeys: ["grant_type", "client_id", "client_secret"] },
    );
    const unknownClient = fc.record({ grant_type: fc.constant("client_credentials"), client_id: fc.string({ minLength: 1, maxLength: 40 }), client_secret: fc.string({ minLength: 1, maxLength: 40 }) });
    const login = fc.constant({ email: w.login.email, password: w.login.password });
    const unknownLogin = fc.record({ email: uniqueEmail(), password: fc.string({ minLength: 16, maxLength: 30 }) });
    hints.body = fc.oneof({ weight: 3, arbitrary: clientCreds }, { weight: 2, arbitrary: unknownClient }, { weight: 1, arbitrary: login }, { weight: 1, arbitrary: unknownLogin });
    return {
      hints,
      validRefusals: [],
    };
  }
  if (o.path.startsWith("/auth/api/v1/")) {
    hints["path:customerID"] = realOr([c0]);
    hints["path:userID"] = realOr(users);
    const subrole = fc.constantFrom(...w.subroles.map((s) => ({ id: s.id, code: s.code, label: s.label })));
    hints["body.subrole"] = o.method === "POST" ? subrole : fc.oneof(subrole, fc.constantFrom(...w.subroles.map((s) => ({ code: s.code }))));
    // An e-mail change in a PATCH is rare (it moves the user's address out of the pool).
    if (o.method === "PATCH") hints["body.email"] = fc.oneof({ weight: 20, arbitrary: fc.constant(OMIT) }, { weight: 1, arbitrary: uniqueEmail() });
    hints["query:filter[subrole_id]"] = realOr(w.subroles);
    hints["query:subrole_id"] = realOr(w.subroles);
  } else if (o.path.startsWith("/functions/v1/public/")) {
    hints["path:projectId"] = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(w.projects[0]!.key, w.projects[0]!.id) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]{1,20}$/) },
    );
    hints["path:customerId"] = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(c0.key, c0.id) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]{1,20}$/) },
    );
    hints["path:userId"] = realOr(users);
    // PBKDF2 per password: present in a quarter of the cases.
    hints["body.password"] = fc.oneof({ weight: 3, arbitrary: fc.constant(OMIT) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9!@#$%^&*]{16,40}$/) });
    hints["body.customerId"] = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,20}$/).map((k) => `${k}${unique("").slice(1, 12)}`);
  } else if (o.path.startsWith("/v1/")) {
    hints["header:X-Tenant"] = fc.constant(w.tenant.domain);
    hints["path:customerId"] = realOr([c0]);
    hints["path:resellerId"] = realOr(w.resellers);
    hints["path:email"] = realOr(users, "email", uniqueEmail());
    hints["query:resellerId"] = fc.constantFrom(OMIT, c0.resellerId, ...w.resellers.map((r) => r.id));
    hints["query:groups"] = fc.subarray(w.groups.map((g) => g.id), { minLength: 1 });
    hints["query:continuationToken"] = fc.constant(OMIT);
    // A reseller-level user may hold only a tenant-wide subrole (subroles[1]).
    const roles = o.path.startsWith("/v1/reseller/") ? [w.subroles[1]!] : w.subroles;
    hints["body.role"] = fc.oneof(fc.constant(null), fc.constantFrom(...roles.map((s) => ({ name: s.code as string }))), fc.constant({ name: null }));
    hints["body.groups"] = fc.subarray(w.groups.map((g) => ({ id: g.id, name: g.name })));
    // An e-mail change in a PATCH is rare (it moves the user's address out of the pool).
    if (o.method === "PATCH") hints["body.email"] = fc.oneof({ weight: 20, arbitrary: fc.constant(OMIT) }, { weight: 1, arbitrary: uniqueEmail() });
    // A PATCH's id must be the id of the user at that address; a random one is a rare 404.
    hints["body.id"] = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(OMIT, null, "00000000-0000-0000-0000-000000000000") }, { weight: 1, arbitrary: fc.uuid() });
  }
  if (o.path.startsWith("/scim/v2/Groups")) {
    const member = fc.constantFrom(...w.scimUsers.map((u) => u.id));
    hints["path:id"] = realOr(w.groups);
    hints["query:filter"] = fc.constantFrom(OMIT, `displayName eq "${w.groups[0]!.name}"`, `not (displayName eq "x") and id pr`, `id eq "${w.groups[1]!.id}" or displayName ne "y"`);
    // The group's name is the tenant's: a client sends its own or none (another is 400 mutability: test/scim/).
    hints["body.displayName"] = fc.constant(OMIT);
    hints["body.members"] = fc.uniqueArray(member, { maxLength: 3 }).map((ids) => ids.map((value) => ({ value })));
    const op = fc.oneof(
      fc.record({ op: fc.constantFrom("add", "Add"), path: fc.constant("members"), value: fc.uniqueArray(member, { minLength: 1, maxLength: 3 }).map((ids) => ids.map((value) => ({ value }))) }),
      fc.record({ op: fc.constantFrom("remove", "Remove"), path: fc.constant("members"), value: fc.uniqueArray(member, { minLength: 1, maxLength: 2 }).map((ids) => ids.map((value) => ({ value }))) }),
      member.map((m) => ({ op: "remove", path: `members[value eq "${m}"]` })),
      fc.record({ op: fc.constantFrom("replace", "Replace"), path: fc.constant("members"), value: fc.uniqueArray(member, { maxLength: 3 }).map((ids) => ids.map((value) => ({ value }))) }),
    );
    hints["body.Operations"] = fc.array(op, { minLength: 1, maxLength: 3 });
    hints["body.schemas"] = o.method === "PATCH" ? fc.constant([PATCH_URN]) : fc.constant(["urn:ietf:params:scim:schemas:core:2.0:Group"]);
    return { token: w.scim, hints };
  }
  if (o.path.startsWith("/scim/v2/")) {
    hints["path:id"] = realOr(deleting ? users : w.scimUsers);
    // Filters and sorts that parse (a malformed one is the invalid kind's, and test/scim's).
    hints["query:filter"] = fc.constantFrom(OMIT, `userName eq "${w.login.email}"`, "active eq true", 'name.familyName sw "S"', "externalId pr", 'emails[type eq "work" and value co "@fuzz"]', 'not (userName ew ".org") and meta.created gt "2020-01-01T00:00:00Z"');
    hints["query:sortBy"] = fc.constantFrom(OMIT, "userName", "name.familyName", "meta.created", "meta.lastModified", "externalId");
    // Operations that apply to any user (one that does not is a 400 by design: test/scim/).
    const op = fc.oneof(
      fc.record({ op: fc.constantFrom("replace", "Replace"), path: fc.constant("active"), value: fc.constantFrom(true, false, "True", "False") }),
      fc.record({ op: fc.constantFrom("replace", "add"), value: fc.record({ active: fc.boolean() }) }),
      fc.record({ op: fc.constantFrom("replace", "Add"), path: fc.constantFrom("name.givenName", "name.familyName", "externalId"), value: fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}$/) }),
      fc.record({ op: fc.constant("add"), path: fc.constant('phoneNumbers[type eq "mobile"].value'), value: fc.stringMatching(/^\+[0-9]{6,12}$/) }),
      fc.record({ op: fc.constantFrom("remove", "Remove"), path: fc.constantFrom("phoneNumbers", "externalId") }),
    );
    hints["body.Operations"] = fc.array(op, { minLength: 1, maxLength: 3 });
    hints["body.schemas"] = o.method === "PATCH" ? fc.constant([PATCH_URN]) : fc.constantFrom(OMIT, ["urn:ietf:params:scim:schemas:core:2.0:User"]);
    hints["body.password"] = fc.oneof({ weight: 3, arbitrary: fc.constant(OMIT) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9!@#$%^&*]{16,40}$/) });
    return { token: w.scim, hints };
  }
  return { token: w.tenant.admin, hints };
}

export type Surface = "admin" | "worth" | "corti" | "cloudcockpit" | "token" | "scim";

/** Which surface an operation of /doc belongs to (each fuzz file takes some). */
export function surfaceOf(o: Operation): Surface | undefined {
  if (o.path.endsWith("/auth/token")) return "token";
  if (o.path.startsWith("/api/v1/")) return "admin";
  if (o.path.startsWith("/auth/api/v1/")) return "worth";
  if (o.path.startsWith("/functions/v1/public/")) return "corti";
  if (o.path.startsWith("/v1/")) return "cloudcockpit";
  if (o.path.startsWith("/scim/v2/")) return "scim";
  return undefined;
}
