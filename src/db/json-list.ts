/**
 * A list bound as one parameter: `(select value from json_each(?))`, for `x in …` over any number of
 * values — bound one by one, a list passes D1's 100 bound parameters at 100 (docs/migration.md#how-it-runs).
 */
import { sql, type SQL } from "drizzle-orm";

export function inJsonList(values: readonly unknown[]): SQL {
  return sql`(select value from json_each(${JSON.stringify(values)}))`;
}
