import type { StreamChunk } from '@codetether/responses-protocol';
import type { GatewayProvider, GatewayProviderRequestOptions } from '../gateway-provider.js';
import { signalled } from './streamed-response-provider.js';

/**
 * Where a {@link createHeldUpstreamProvider} request stops and waits until it is aborted:
 * `before-answer` before the upstream's first event (the gateway has not answered its client yet),
 * `mid-answer` after the first text (a stream is open; a non-streamed answer is being collected).
 * `before-answer-reporting-abort` waits as `before-answer`, then answers the abort with an `error`
 * event (chunk) instead of failing, as a conversation turn does.
 */
export type UpstreamHoldPoint = 'before-answer' | 'mid-answer' | 'before-answer-reporting-abort';

const ABORTED_EVENT = { type: 'error', code: 'aborted', message: 'The request was aborted.' } as const;

/** A provider whose request (Chat or Responses shape; one per test) stops at one point until aborted. */
export interface HeldUpstreamProvider extends GatewayProvider {
  /** Requests that reached the hold point so far. */
  readonly heldRequests: number;
  /** Requests whose signal was aborted so far. */
  readonly abortedRequests: number;
  /** Resolves once a request reached its hold point. */
  held(): Promise<void>;
  /** Resolves once a request's signal was aborted. */
  aborted(): Promise<void>;
}

function abortError(signal: AbortSignal | undefined): Error {
  return Object.assign(new Error('The request was aborted.'), { code: 'aborted', cause: signal?.reason });
}

/**
 * Creates a provider that answers one text chunk (or `response.created` and one delta) and then
 * waits at `holdPoint` until the gateway aborts the request — it never finishes on its own, so a test
 * sees whether a client that left is passed on upstream.
 *
 * @param holdPoint - where each request waits
 */
export function createHeldUpstreamProvider(holdPoint: UpstreamHoldPoint): HeldUpstreamProvider {
  let heldRequests = 0;
  let abortedRequests = 0;
  const hold = signalled();
  const abort = signalled();
  /** Starts a request: counts its abort and returns what waits for it. */
  const begin = (signal: AbortSignal | undefined): Promise<never> => {
    const onAbort = (): void => {
      abortedRequests += 1;
      abort.resolve();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return abort.promise.then(() => {
      throw abortError(signal);
    });
  };
  const reachHold = (): void => {
    heldRequests += 1;
    hold.resolve();
  };
  return {
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get heldRequests() {
      return heldRequests;
    },
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get abortedRequests() {
      return abortedRequests;
    },
    held: () => hold.promise,
    aborted: () => abort.promise,
    async listModels() {
      return [{ id: 'gpt-5.4' }];
    },
    completeStream(_request, options: GatewayProviderRequestOptions = {}) {
      const untilAborted = begin(options.signal);
      return (async function* (): AsyncGenerator<StreamChunk> {
        if (holdPoint === 'mid-answer') yield { type: 'text', text: 'Hello' };
        reachHold();
        if (holdPoint === 'before-answer-reporting-abort') {
          await untilAborted.catch(() => {});
          yield ABORTED_EVENT;
          return;
        }
        await untilAborted;
      })();
    },
    async createResponseStream(_body, options: GatewayProviderRequestOptions = {}) {
      const untilAborted = begin(options.signal);
      return {
        events: (async function* (): AsyncGenerator<unknown> {
          if (holdPoint === 'mid-answer') {
            yield { type: 'response.created', response: { id: 'resp_held', status: 'in_progress' } };
            yield { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hello' };
          }
          reachHold();
          if (holdPoint === 'before-answer-reporting-abort') {
            await untilAborted.catch(() => {});
            yield ABORTED_EVENT;
            return;
          }
          await untilAborted;
        })(),
      };
    },
  };
}
