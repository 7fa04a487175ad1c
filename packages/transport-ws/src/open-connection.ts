import type { IncomingMessage } from 'node:http';
import {
  type NonHttpServerReply,
  parseRateLimitHeaders,
  readRequestId,
} from '@codetether/responses-protocol';
import type WebSocket from 'ws';
import type { ClientOptions, RawData } from 'ws';
import type { HandshakeMetadata } from './handshake-metadata.js';
import { answerPings } from './ping-responder.js';
import { normalizeHeaders } from './response-headers.js';
import type { TransportScheduler } from './scheduler.js';
import { errorFromServerFailure } from './server-error.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

/** A `ws`-compatible WebSocket class (the `ws` package's default export, or a subclass of it). */
export type WebSocketConstructor = new (address: string, options: ClientOptions) => WebSocket;

/** Options of {@link openConnection}. */
export interface OpenConnectionOptions {
  /** `ws:`/`wss:` URL. */
  url: string;
  /** Upgrade request headers. */
  headers: Record<string, string>;
  /** The WebSocket class. */
  WebSocket: WebSocketConstructor;
  /** Give up on the handshake after this many ms. */
  connectTimeoutMs: number;
  /** Timers. */
  scheduler: TransportScheduler;
  /** Current time, epoch ms. */
  now: () => number;
  /** Offer permessage-deflate. */
  perMessageDeflate: boolean;
  /** Largest accepted message, bytes (larger ones close the socket with 1009). */
  maxPayloadBytes: number;
  /** Cancels the handshake. */
  signal?: AbortSignal | undefined;
}

/** An open socket and what its handshake said. */
export interface OpenedSocket {
  /** The open socket. */
  socket: WebSocket;
  /** Status and headers of the 101 answer. */
  handshake: HandshakeMetadata;
  /**
   * What the socket received since it opened — bytes that came with the 101 are read before the
   * caller gets the socket: a frame (an `error` event sent before any request) or a protocol
   * violation — and stops recording. Call once, when the caller's own listeners are in place.
   */
  takeEarlyEvents(): EarlySocketEvents;
}

/** One message as `ws` delivers it. */
export interface ReceivedFrame {
  /** The payload. */
  data: RawData;
  /** True for a binary frame. */
  isBinary: boolean;
}

/** What a socket received between its opening and its first listener (see `takeEarlyEvents`). */
export interface EarlySocketEvents {
  /** The first socket error, if any. */
  error: Error | undefined;
  /** The messages, in order (at most {@link MAX_EARLY_FRAMES}; more are dropped). */
  frames: ReceivedFrame[];
}

/** Most messages kept for the first turn when they arrive before it takes the socket. */
export const MAX_EARLY_FRAMES = 16;

const MAX_ERROR_BODY_BYTES = 64 * 1024;

function ignoreError(): void {
  // A late error of an abandoned handshake: the caller already got its answer.
}

/**
 * `error` without the raw bytes Node attaches to an HTTP parse error of the upgrade answer
 * (`rawPacket`): they are what the server sent, and a broken server or proxy that echoes the
 * request's headers would put the bearer token there, out of reach of message redaction.
 */
function withoutReceivedBytes(error: Error): Error {
  for (const key of Object.getOwnPropertyNames(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value instanceof Uint8Array) delete (error as unknown as Record<string, unknown>)[key];
  }
  return error;
}

function describeNetworkError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

/**
 * What a server that was reached sent instead of answering the handshake, from the error of the
 * upgrade request: a Node HTTP parser error (`HPE_…`) means bytes that are not HTTP; a reset or
 * hang-up (`ECONNRESET`) means the connection was accepted and closed without an answer. Undefined
 * for anything else (refused, DNS, unreachable: the server was not reached).
 */
function nonHttpServerReplyOf(error: unknown): NonHttpServerReply | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('HPE_')) return 'not-http';
  if (code === 'ECONNRESET') return 'closed-without-answer';
  return undefined;
}

/** The `network` error of a handshake that failed without an HTTP answer, saying whether the server was reached. */
function handshakeNetworkError(host: string, error: Error): WebSocketTransportError {
  const details = { fallbackSafe: true, isRetryable: true, cause: withoutReceivedBytes(error) };
  const reason = describeNetworkError(error);
  const serverReply = nonHttpServerReplyOf(error);
  if (serverReply === 'not-http') {
    return new WebSocketTransportError(
      'network',
      `${host} answered the WebSocket handshake with something that is not HTTP (${reason}). Check that the base URL points at a Responses endpoint (scheme and port); if it does, a proxy in between may be mangling the answer.`,
      { ...details, serverReply },
    );
  }
  if (serverReply === 'closed-without-answer') {
    return new WebSocketTransportError(
      'network',
      `${host} closed the connection without answering the WebSocket handshake (${reason}). Try again; if it keeps happening, check that the base URL points at a Responses endpoint, or use the HTTP transport.`,
      { ...details, serverReply },
    );
  }
  return new WebSocketTransportError(
    'network',
    `Could not open the Responses WebSocket to ${host} (${reason}). Check the network and the base URL; the HTTP transport may still work.`,
    details,
  );
}

/** Creates the `aborted` error of a turn. */
export function abortedError(
  signal: AbortSignal | undefined,
  fallbackSafe: boolean,
): WebSocketTransportError {
  return new WebSocketTransportError('aborted', 'The request was aborted by the caller.', {
    fallbackSafe,
    isRetryable: false,
    cause: signal?.reason,
  });
}

function handshakeMetadata(response: IncomingMessage | undefined, now: number): HandshakeMetadata {
  const headers = normalizeHeaders(response?.headers);
  return {
    status: response?.statusCode ?? 101,
    headers,
    requestId: readRequestId(headers),
    rateLimits: parseRateLimitHeaders(headers, { now }),
  };
}

/**
 * Opens one Responses WebSocket: sends the upgrade with the caller's headers and resolves once the
 * socket is open. A non-101 answer becomes `http-status` (or `usage-limit-reached`) with the
 * status and the server's message (read up to 64 KiB, or as far as it came when the handshake times
 * out); a connection failure `network`; a slow handshake `timeout-connect`; an abort `aborted`. All of them are `fallbackSafe` (nothing was sent yet).
 */
export function openConnection(options: OpenConnectionOptions): Promise<OpenedSocket> {
  const host = new URL(options.url).host;
  return new Promise<OpenedSocket>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(abortedError(options.signal, true));
      return;
    }
    let settled = false;
    let upgradeResponse: IncomingMessage | undefined;
    /** Ends a refused handshake with what its body said so far (set once a refusal's status arrived). */
    let finishRefusal: (() => void) | undefined;
    let socket: WebSocket;
    try {
      socket = new options.WebSocket(options.url, {
        headers: options.headers,
        perMessageDeflate: options.perMessageDeflate,
        maxPayload: options.maxPayloadBytes,
        followRedirects: false,
        autoPong: false,
      });
    } catch (error) {
      const detail =
        typeof (error as { code?: unknown }).code === 'string'
          ? ` (${(error as { code: string }).code})`
          : '';
      reject(
        new WebSocketTransportError(
          'invalid-request',
          `The WebSocket handshake to ${host} could not be sent${detail}: check the header names and values (no line breaks or non-ASCII characters).`,
          { fallbackSafe: false, isRetryable: false, cause: error },
        ),
      );
      return;
    }
    socket.on('error', ignoreError);
    answerPings(socket);

    const cleanup = (): void => {
      options.scheduler.clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('upgrade', onUpgrade);
      socket.off('unexpected-response', onUnexpectedResponse);
      socket.off('open', onOpen);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (error: WebSocketTransportError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.terminate();
      reject(error);
    };
    const onAbort = (): void => fail(abortedError(options.signal, true));
    const onUpgrade = (response: IncomingMessage): void => {
      upgradeResponse = response;
    };
    const onUnexpectedResponse = (_request: unknown, response: IncomingMessage): void => {
      const status = response.statusCode ?? 0;
      const headers = normalizeHeaders(response.headers);
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (): void => {
        const text = Buffer.concat(chunks).toString('utf8');
        fail(
          errorFromServerFailure({
            origin: 'handshake',
            status,
            headers,
            body: text,
            fallbackSafe: true,
            now: options.now(),
          }),
        );
      };
      finishRefusal = finish;
      response.on('data', (chunk: Buffer) => {
        if (size >= MAX_ERROR_BODY_BYTES) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_ERROR_BODY_BYTES) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
      response.on('aborted', finish);
    };
    const onOpen = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      const early: EarlySocketEvents = { error: undefined, frames: [] };
      const recordError = (error: Error): void => {
        early.error ??= error;
      };
      const recordFrame = (data: RawData, isBinary: boolean): void => {
        if (early.frames.length < MAX_EARLY_FRAMES) early.frames.push({ data, isBinary });
      };
      socket.on('error', recordError);
      socket.on('message', recordFrame);
      resolve({
        socket,
        handshake: handshakeMetadata(upgradeResponse, options.now()),
        takeEarlyEvents() {
          socket.off('error', recordError);
          socket.off('message', recordFrame);
          return early;
        },
      });
    };
    const onError = (error: Error): void => fail(handshakeNetworkError(host, error));
    const onClose = (code: number): void => {
      fail(
        new WebSocketTransportError(
          'network',
          `The Responses WebSocket to ${host} closed during the handshake (code ${code}). Try again or use the HTTP transport.`,
          { fallbackSafe: true, isRetryable: true, closeCode: code },
        ),
      );
    };
    const timer = options.scheduler.setTimeout(() => {
      // A refusal whose body never ends is still that refusal (a 401 is not a retryable timeout).
      if (finishRefusal !== undefined) {
        finishRefusal();
        return;
      }
      fail(
        new WebSocketTransportError(
          'timeout-connect',
          `The Responses WebSocket handshake with ${host} did not finish within ${options.connectTimeoutMs} ms. Check the network, or use the HTTP transport.`,
          { fallbackSafe: true, isRetryable: true },
        ),
      );
    }, options.connectTimeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('upgrade', onUpgrade);
    socket.on('unexpected-response', onUnexpectedResponse);
    socket.on('open', onOpen);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
