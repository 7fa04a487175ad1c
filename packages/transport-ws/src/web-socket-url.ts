import { WebSocketTransportError } from './web-socket-transport-error.js';

/**
 * Turns the HTTP(S) `/responses` URL the caller gives into the WebSocket URL: `http:` → `ws:`,
 * `https:` → `wss:`; `ws:`/`wss:` URLs are kept. Path and query are kept as they are.
 *
 * @param url - e.g. `https://chatgpt.com/backend-api/codex/responses`
 * @returns e.g. `wss://chatgpt.com/backend-api/codex/responses`
 * @throws WebSocketTransportError `invalid-request` for anything else
 */
export function toWebSocketUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw invalidUrl(url, error);
  }
  switch (parsed.protocol) {
    case 'http:':
      parsed.protocol = 'ws:';
      break;
    case 'https:':
      parsed.protocol = 'wss:';
      break;
    case 'ws:':
    case 'wss:':
      break;
    default:
      throw invalidUrl(url);
  }
  return parsed.toString();
}

function invalidUrl(url: string, cause?: unknown): WebSocketTransportError {
  const shown = url.length > 200 ? `${url.slice(0, 200)}…` : url;
  return new WebSocketTransportError(
    'invalid-request',
    `The Responses URL '${shown}' is not an http(s) or ws(s) URL. Pass the HTTP base URL plus '/responses'.`,
    { fallbackSafe: false, isRetryable: false, cause },
  );
}
