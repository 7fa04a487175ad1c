/**
 * Builds the `response.create` frame from the HTTP request body: the same fields, `type` first, and
 * without `stream` (every WebSocket response streams).
 *
 * @param body - the HTTP Responses body (as built by `buildResponsesRequestBody`)
 * @returns the JSON object to send as the first frame of a turn
 */
export function buildResponseCreateEvent(body: Record<string, unknown>): Record<string, unknown> {
  const { stream: _stream, type: _type, ...rest } = body;
  return { type: 'response.create', ...rest };
}
