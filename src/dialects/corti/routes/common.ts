/** What every Corti route shares: its tag, bearer scheme and error responses in /doc (src/http/openapi.ts). */
import { surfaceRoute } from "../../../http/openapi";
import { cortiBodyErrors, cortiErrors, error } from "../errors";

export { json, jsonBody } from "../../../http/openapi";
export const cortiRoute = surfaceRoute({ tag: "Corti", errors: cortiErrors, bodyErrors: cortiBodyErrors, errorBody: error });
