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
  } catch {
    throw invalidUrl(url);
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

function invalidUrl(url: string): WebSocketTransportError {
  // Neither the URL nor URL's TypeError (which carries the input) is shown: the query may hold a token.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  const what = scheme === undefined ? 'not an absolute URL' : `a ${scheme}: URL`;
  return new WebSocketTransportError(
    'invalid-request',
    `The Responses URL is ${what}, not an http(s) or ws(s) URL. Pass the HTTP base URL plus '/responses'.`,
    { fallbackSafe: false, isRetryable: false },
  );
}
