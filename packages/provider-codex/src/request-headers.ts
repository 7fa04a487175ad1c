import type { Backend } from '@codetether/responses-protocol';

/** The beta header value the Responses API expects over HTTP SSE. */
export const HTTP_OPENAI_BETA = 'responses=experimental';
/** The beta header value the Responses API expects over the WebSocket. */
export const WEBSOCKET_OPENAI_BETA = 'responses_websockets=2026-02-06';

/** What {@link buildRequestHeaders} needs to know. */
export interface RequestHeaderInput {
  /** Which backend the request goes to. */
  backend: Backend;
  /** Which wire carries it. */
  wire: 'http' | 'websocket';
  /** The access token (ChatGPT) or API key (OpenAI API). */
  bearerToken: string;
  /** The ChatGPT workspace/account id (required for the ChatGPT backend). */
  accountId?: string | undefined;
  /** The conversation's session id (also its thread id). */
  sessionId: string;
  /** The `originator` header value. */
  originator: string;
  /** The `User-Agent` header value. */
  userAgent: string;
}

/**
 * Builds the request headers of PROTOCOL.md: bearer auth, and for the ChatGPT backend
 * `chatgpt-account-id`, `originator`, and the conversation id as `session-id` (hyphen), `thread-id`
 * and `x-client-request-id`, as the official CLI sends them; `OpenAI-Beta` per wire; `Accept` and
 * `Content-Type` for HTTP only.
 */
export function buildRequestHeaders(input: RequestHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${input.bearerToken}`,
    'user-agent': input.userAgent,
    'openai-beta': input.wire === 'http' ? HTTP_OPENAI_BETA : WEBSOCKET_OPENAI_BETA,
  };
  if (input.wire === 'http') {
    headers.accept = 'text/event-stream';
    headers['content-type'] = 'application/json';
  }
  if (input.backend === 'chatgpt') {
    if (input.accountId !== undefined) headers['chatgpt-account-id'] = input.accountId;
    headers.originator = input.originator;
    headers['session-id'] = input.sessionId;
    headers['thread-id'] = input.sessionId;
    headers['x-client-request-id'] = input.sessionId;
  }
  return headers;
}

/** What {@link buildJsonGetHeaders} needs to know. */
export type JsonGetHeaderInput = Omit<RequestHeaderInput, 'wire' | 'sessionId'>;

/**
 * The headers of a metadata `GET` (`/models`, `/usage`): bearer auth, `Accept: application/json`,
 * `User-Agent`, and for the ChatGPT backend `chatgpt-account-id` and `originator`.
 */
export function buildJsonGetHeaders(input: JsonGetHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${input.bearerToken}`,
    'user-agent': input.userAgent,
    accept: 'application/json',
  };
  if (input.backend === 'chatgpt') {
    if (input.accountId !== undefined) headers['chatgpt-account-id'] = input.accountId;
    headers.originator = input.originator;
  }
  return headers;
}
