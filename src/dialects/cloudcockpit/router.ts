import { dialectRouter } from "../../http/dialect";
import { renderCloudCockpit } from "./errors";

/** The CloudCockpit dialect (CONTRACT §4). */
export function cloudcockpitRouter() {
  const app = dialectRouter(renderCloudCockpit);
  return app;
}
