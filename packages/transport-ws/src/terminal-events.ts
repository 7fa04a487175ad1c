/** Event types that end a response; after one of them the socket is free for the next turn. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.completed',
  'response.failed',
  'response.incomplete',
  'response.done',
  'response.cancelled',
]);

/** True for an event that ends the response (`response.completed`, `.failed`, `.incomplete`, `.done`). */
export function isTerminalEventType(type: string): boolean {
  return TERMINAL_EVENT_TYPES.has(type);
}

/**
 * The HTTP status an `error` event carries (`status_code` or `status`), as the backend sends for
 * failures it would have answered with an HTTP error (401, 429 usage limit, 5xx), or undefined for
 * ordinary model errors (which are yielded as events).
 */
export function readErrorEventStatus(event: Record<string, unknown>): number | undefined {
  for (const key of ['status_code', 'status']) {
    const value = event[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599) return value;
    if (typeof value === 'string' && /^[45]\d\d$/.test(value)) return Number(value);
  }
  return undefined;
}
