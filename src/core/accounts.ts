import { hashClientSecret, newClientSecret } from "./credentials/secrets";
import type { accounts } from "../db/schema";
import type { Ctx } from "./context";
import { mapReceipt, type Receipt } from "./idempotency";
import { createResource } from "./resources";
import { accountSpec } from "./tenant-resources";

export type AccountRow = typeof accounts.$inferSelect;
export type AccountInput = Omit<AccountRow, "id" | "tenantId" | "secretHash" | "createdAt" | "updatedAt">;

export interface CreatedAccount {
  account: AccountRow;
  clientSecret: string;
}

/**
 * Creates a machine account and returns its client secret, once: only the secret's hash is kept,
 * so a lost secret means a new account. (A create sent with an Idempotency-Key keeps its response
 * for a retry sealed — encrypted — never the secret as given: src/http/idempotency.ts.)
 */
export async function createAccount(ctx: Ctx, tenantId: string, input: AccountInput, receipt?: Receipt<CreatedAccount>): Promise<CreatedAccount> {
  const clientSecret = newClientSecret();
  const account = await createResource(
    ctx,
    accountSpec,
    tenantId,
    { ...input, secretHash: await hashClientSecret(clientSecret) },
    mapReceipt(receipt, (row: AccountRow) => ({ account: row, clientSecret })),
  );
  return { account, clientSecret };
}
