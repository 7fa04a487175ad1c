import { redactSecrets } from '@codetether/responses-protocol';
import { HttpTransportError } from './http-transport-error.js';

/** Error codes of the undici/Node connection errors found along a `cause` chain (outermost first). */
export function collectErrorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** System error codes of a connection that could not be opened at all. */
const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

function innermostMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    if (current.message !== '') message = current.message;
    current = current.cause;
  }
  return message;
}

/**
 * True when undici could not parse the answer as HTTP/1.1 (an `HTTPParserError`, or its `bad
 * response` / `bad upgrade` for an unexpected 100 or 101 answer): the server was reached, but
 * what it sent is not HTTP (a wrong port or scheme, or a broken proxy).
 */
function isInvalidHttpAnswer(error: unknown, codes: readonly string[]): boolean {
  if (codes.some((code) => code.startsWith('HPE_'))) return true;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    if (current.name === 'HTTPParserError') return true;
    if (
      (current as { code?: unknown }).code === 'UND_ERR_SOCKET' &&
      /^bad (response|upgrade)$/.test(current.message)
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/** What the transport knew when a request or stream failed without an HTTP answer. */
export interface NetworkFailureContext {
  /** `origin` of the endpoint (no path or query). */
  origin: string;
  /** True once at least one event was delivered to the caller. */
  outputStarted: boolean;
  /** True when the failure happened while reading the response body. */
  duringBody: boolean;
  /** Credential values to scrub from messages. */
  secrets: readonly string[];
  /** HTTP status of the response being read, if any. */
  status?: number | undefined;
  /** The request id of the response being read, if any. */
  requestId?: string | undefined;
  /** Attempts made so far. */
  attempts: number;
}

/**
 * Classifies a failed `fetch` or body read that was neither an abort nor one of the transport's
 * own timeouts: undici connect timeouts become `timeout-connect`, anything else `network`.
 */
export function createNetworkError(error: unknown, context: NetworkFailureContext): HttpTransportError {
  const codes = collectErrorCodes(error);
  const common = {
    cause: error,
    status: context.status,
    requestId: context.requestId,
    fallbackSafe: !context.outputStarted,
    attempts: context.attempts,
  };
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) {
    return new HttpTransportError(
      'timeout-connect',
      `Connecting to ${context.origin} timed out. Check the network connection and the base URL, then try again.`,
      { ...common, isRetryable: true },
    );
  }
  const detail = redactSecrets(innermostMessage(error), context.secrets);
  const code = codes.find((candidate) => !candidate.startsWith('UND_ERR')) ?? codes[0];
  const codeText = code === undefined ? '' : ` [${code}]`;
  const again = context.outputStarted
    ? 'Part of the answer was already delivered; send the request again to get a complete answer.'
    : 'Try again.';
  if (isInvalidHttpAnswer(error, codes)) {
    if (context.duringBody) {
      const message = `The response stream from ${context.origin} broke: what the server sent is not valid HTTP/1.1 (${detail})${codeText}. ${again}`;
      return new HttpTransportError('network', message, { ...common, isRetryable: true });
    }
    const message = `${context.origin} answered with something that is not valid HTTP/1.1 (${detail})${codeText}. Check that the base URL points at an HTTP(S) Responses endpoint (scheme and port); if it does, a proxy in between may be mangling the answer.`;
    return new HttpTransportError('network', message, {
      ...common,
      isRetryable: true,
      serverReply: 'not-http',
    });
  }
  if (context.duringBody) {
    const message = `The connection to ${context.origin} broke in the middle of the response stream (${detail})${codeText}. ${again}`;
    return new HttpTransportError('network', message, { ...common, isRetryable: true });
  }
  if (codes.includes('UND_ERR_SOCKET') && !codes.some((candidate) => CONNECT_FAILURE_CODES.has(candidate))) {
    // undici's socket error: the connection was open (so the server was reached) and closed before
    // an answer; failures to connect carry the system's code (ECONNREFUSED, ENOTFOUND…) instead.
    const message = `${context.origin} closed the connection without answering (${detail})${codeText}. Try again; if it keeps happening, check that the base URL points at an HTTP(S) Responses endpoint (scheme and port).`;
    return new HttpTransportError('network', message, {
      ...common,
      isRetryable: true,
      serverReply: 'closed-without-answer',
    });
  }
  const message = `Could not reach ${context.origin} (${detail})${codeText}. Check the network connection and the base URL, then try again.`;
  return new HttpTransportError('network', message, { ...common, isRetryable: true });
}

/** The error for a caller abort. */
export function createAbortedError(
  reason: unknown,
  outputStarted: boolean,
  attempts: number,
): HttpTransportError {
  return new HttpTransportError('aborted', 'The request was aborted by the caller.', {
    cause: reason,
    isRetryable: false,
    fallbackSafe: !outputStarted,
    attempts,
  });
}

/** The error for a request cut short by `close()` of the transport. */
export function createClosedError(outputStarted: boolean): HttpTransportError {
  return new HttpTransportError(
    'transport-closed',
    'The HTTP transport was closed, so the request was stopped. Create a new transport to send more requests.',
    { isRetryable: false, fallbackSafe: !outputStarted },
  );
}
