import { hashClientSecret, newClientSecret } from "./credentials/secrets";
import type { accounts } from "../db/schema";
import type { Ctx } from "./context";
import { createResource } from "./resources";
import { accountSpec } from "./tenant-resources";

export type AccountRow = typeof accounts.$inferSelect;
export type AccountInput = Omit<AccountRow, "id" | "tenantId" | "secretHash" | "createdAt" | "updatedAt">;

/**
 * Creates a machine account and returns its client secret, once: only the secret's hash is kept,
 * so a lost secret means a new account.
 */
export async function createAccount(ctx: Ctx, tenantId: string, input: AccountInput): Promise<{ account: AccountRow; clientSecret: string }> {
  const clientSecret = newClientSecret();
  const account = await createResource(ctx, accountSpec, tenantId, { ...input, secretHash: await hashClientSecret(clientSecret) });
  return { account, clientSecret };
}
