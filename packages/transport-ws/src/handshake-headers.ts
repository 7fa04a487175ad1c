const MANAGED_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'content-length',
  'transfer-encoding',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/**
 * The caller's headers as sent on the upgrade request (Authorization, chatgpt-account-id, originator,
 * User-Agent, OpenAI-Beta…), minus the ones the WebSocket handshake itself manages (Host, Connection,
 * Upgrade, Sec-WebSocket-*, Content-Length, Transfer-Encoding).
 */
export function buildHandshakeHeaders(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    if (MANAGED_HEADERS.has(name.toLowerCase())) continue;
    result[name] = value;
  }
  return result;
}
