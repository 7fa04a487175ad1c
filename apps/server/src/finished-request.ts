import type { GatewayLogger } from './gateway-logger.js';
import type { GatewayMetrics } from './gateway-metrics.js';

/** A finished request as its line of the request log shows it (more fields may precede or follow these). */
export interface FinishedRequestFields {
  /** The HTTP method, or `response.create` for a response of the WebSocket mode. */
  readonly method: string;
  /** The route label (as in the metrics). */
  readonly route: string;
  /** The status of its answer (for a WebSocket-mode response: its error event's, else 200). */
  readonly status: number;
  /** How long it took, ms. */
  readonly durationMs: number;
}

/**
 * Counts a finished request in `codetether_server_requests_total` and writes its line of the request
 * log: `"request"` at info, or `"request failed"` at error for a 5xx — the same for every HTTP request
 * and every `response.create` of the WebSocket mode.
 *
 * @param metrics - the gateway's metrics
 * @param logger - the gateway's logger
 * @param fields - the request's log fields, and any more its line carries (`requestId`, `transport`…)
 */
export function recordFinishedRequest(
  metrics: GatewayMetrics,
  logger: GatewayLogger,
  fields: FinishedRequestFields & Readonly<Record<string, unknown>>,
): void {
  metrics.recordRequest(fields.route, fields.method, fields.status);
  if (fields.status >= 500) logger.error(fields, 'request failed');
  else logger.info(fields, 'request');
}
