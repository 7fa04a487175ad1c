import { raceAbort } from '@codetether/responses-protocol';
import type { Agent, Dispatcher } from 'undici';
import { createNodeBodySource } from './body-reader.js';
import { createConnectingSocketTracker } from './connecting-sockets.js';
import { decodeContent, isDecodableContentEncoding } from './content-decoding.js';
import type { HttpAnswer, HttpSender } from './http-answer.js';
import { incomingHeadersToRecord } from './response-metadata.js';

/** What {@link createUndiciSender} needs. */
export interface UndiciSenderOptions {
  /** The caller's dispatcher (never closed by the sender); without one the sender owns a keep-alive `Agent`. */
  dispatcher: Dispatcher | undefined;
  /** TCP/TLS connect timeout of the owned `Agent`, ms (0 disables). */
  connectTimeoutMs: number;
  /** How long the owned `Agent` keeps idle sockets open, ms. */
  keepAliveTimeoutMs: number;
}

/**
 * undici, imported on the first request that uses it: a transport with an injected `fetch`, and a
 * program that never sends over HTTP, never pay for loading it (~130 ms of start-up).
 */
let undiciModule: Promise<typeof import('undici')> | undefined;
function loadUndici(): Promise<typeof import('undici')> {
  undiciModule ??= import('undici');
  return undiciModule;
}

/**
 * A sender over undici's `request()` (no WHATWG streams, so less work per request and per chunk), on
 * the caller's dispatcher or on a keep-alive `Agent` it creates on first use. `close()` destroys the
 * owned `Agent` and the sockets it is still connecting. This is the only module that loads undici.
 *
 * @param options - dispatcher and owned-Agent settings
 */
export function createUndiciSender(options: UndiciSenderOptions): HttpSender {
  const connectingSockets = createConnectingSocketTracker();
  let ownedAgent: Agent | undefined;
  let sendsAwaitingHeaders = 0;
  const dispatcher = (undici: typeof import('undici')): Dispatcher => {
    if (options.dispatcher !== undefined) return options.dispatcher;
    ownedAgent ??= new undici.Agent({
      keepAliveTimeout: options.keepAliveTimeoutMs,
      connect: connectingSockets.track(undici.buildConnector({ timeout: options.connectTimeoutMs })),
      // The transport's own first-byte and idle timers govern; undici's would race them.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    return ownedAgent;
  };
  return {
    async prepare() {
      await loadUndici().catch(() => {});
    },
    async send(url, init): Promise<HttpAnswer> {
      const undici = await loadUndici();
      const chosenDispatcher = dispatcher(undici);
      sendsAwaitingHeaders += 1;
      let answer: HttpAnswer;
      try {
        // undici only acts on an abort once the connection is up, so a request still connecting would
        // otherwise wait for the connect timeout; an answer that arrives after the abort is destroyed.
        const response = await raceAbort(
          undici.request(url, {
            method: 'POST',
            headers: init.headers,
            body: init.body,
            signal: init.signal,
            dispatcher: chosenDispatcher,
          }),
          init.signal,
          { discardLateValue: (late) => late.body.on('error', () => {}).destroy() },
        );
        const headers = incomingHeadersToRecord(response.headers);
        // undici's request() does not decompress (fetch does): undo the codings here.
        const contentEncoding = headers['content-encoding'];
        const decodable = isDecodableContentEncoding(contentEncoding);
        answer = {
          status: response.statusCode,
          statusText: response.statusText ?? '',
          headers,
          body: createNodeBodySource(
            decodable ? decodeContent(response.body, contentEncoding) : response.body,
          ),
        };
        if (!decodable && contentEncoding !== undefined) answer.undecodableContentEncoding = contentEncoding;
      } catch (error) {
        sendsAwaitingHeaders -= 1;
        if (sendsAwaitingHeaders === 0 && init.signal.aborted) connectingSockets.dropAll();
        throw error;
      }
      sendsAwaitingHeaders -= 1;
      return answer;
    },
    async close() {
      connectingSockets.dropAll();
      await ownedAgent?.destroy();
    },
  };
}
