import { dialectRouter } from "../../http/dialect";
import { renderWorth } from "./errors";

/** The Worth dialect (CONTRACT §4). */
export function worthRouter() {
  const app = dialectRouter(renderWorth);
  return app;
}
