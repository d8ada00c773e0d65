/** What every Corti route declares the same way. */
import type { z } from "@hono/zod-openapi";

export const tags = ["Corti"];
export const security = [{ bearerAuth: [] }];

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });
