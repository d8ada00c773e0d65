import { renderProblem } from "../admin/errors";
import type { ErrorRenderer } from "../../http/errors";

// Placeholder until the CloudCockpit dialect's own error table lands.
export const renderCloudCockpit: ErrorRenderer = renderProblem;
