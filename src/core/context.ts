import type { Db } from "../db/client";
import type { Principal } from "./principal";

/** What every verb receives. Built once per request by the transport; the core never sees HTTP. */
export interface Ctx {
  db: Db;
  principal: Principal;
  correlationId: string;
  now(): number;
  newId(): string;
  /**
   * The longest an access token is accepted (its lifetime plus the clock leeway): how long a
   * revocation must be remembered (src/core/revocation.ts).
   */
  tokenLifetimeSeconds: number;
}
