/** What every Worth route shares: its tag and bearer scheme in /doc (src/http/openapi.ts). */
import { surfaceRoute } from "../../http/openapi";

export const worthRoute = surfaceRoute("Worth");
