/** What every Corti route declares the same way: its tag and bearer scheme (src/http/openapi.ts). */
import { surfaceRoute } from "../../../http/openapi";

export { json, jsonBody } from "../../../http/openapi";
export const cortiRoute = surfaceRoute("Corti");
