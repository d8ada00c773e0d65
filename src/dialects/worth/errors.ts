import { renderProblem } from "../admin/errors";
import type { ErrorRenderer } from "../../http/errors";

// Placeholder until the Worth dialect's own error table lands.
export const renderWorth: ErrorRenderer = renderProblem;
