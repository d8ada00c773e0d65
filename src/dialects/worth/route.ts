/** What every Worth route shares: its tag, bearer scheme and error responses in /doc (src/http/openapi.ts). */
import { surfaceRoute } from "../../http/openapi";
import { bodyErrors, fail, worthErrors } from "./errors";

export const worthRoute = surfaceRoute({ tag: "Worth", errors: worthErrors, bodyErrors, errorBody: fail });
