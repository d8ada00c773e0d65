import { dialectRouter } from "../../http/dialect";
import { renderCorti } from "./errors";

/** The Corti dialect (CONTRACT §4). */
export function cortiRouter() {
  const app = dialectRouter(renderCorti);
  return app;
}
