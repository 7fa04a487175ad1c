import type { GatewayProvider, GatewayProviderRequestOptions } from '../gateway-provider.js';

/** What {@link createStreamedResponseProvider}'s responses stream. */
export interface StreamedResponseScript {
  /** How many `response.output_text.delta` events each response has. */
  deltas: number;
  /** The text of each delta. */
  deltaText: string;
  /**
   * After how many deltas the stream stops and waits until its request is aborted (it never ends on
   * its own); by default it runs to `response.completed`.
   */
  stallAfter?: number;
}

/** A provider whose `/v1/responses` streams are generated on demand, reporting how far they were read (one response per test). */
export interface StreamedResponseProvider extends GatewayProvider {
  /** Events the gateway took from the latest stream so far. */
  readonly eventsTaken: number;
  /** Whether the gateway took the latest stream's last event. */
  readonly readToEnd: boolean;
  /** Resolves once the latest stream reached its stall point (see `stallAfter`). */
  stalled(): Promise<void>;
  /** Resolves once the latest request's signal was aborted. */
  aborted(): Promise<void>;
}

/** A promise and its resolver. */
export function signalled(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * Creates a provider whose every response is `response.created`, `script.deltas` deltas and
 * `response.completed`, each event made only when the gateway asks for it — so a test sees how much of
 * an answer the gateway read ahead of its client — or that stalls after `stallAfter` deltas until its
 * request is aborted.
 *
 * @param script - the deltas and where to stall
 */
export function createStreamedResponseProvider(script: StreamedResponseScript): StreamedResponseProvider {
  let eventsTaken = 0;
  let readToEnd = false;
  const stall = signalled();
  const abort = signalled();
  const events = async function* (signal: AbortSignal | undefined): AsyncGenerator<unknown> {
    eventsTaken += 1;
    yield { type: 'response.created', response: { id: 'resp_streamed', status: 'in_progress' } };
    for (let index = 0; index < script.deltas; index += 1) {
      if (index === script.stallAfter) {
        stall.resolve();
        await abort.promise;
        throw Object.assign(new Error('The request was aborted.'), {
          code: 'aborted',
          cause: signal?.reason,
        });
      }
      eventsTaken += 1;
      yield {
        type: 'response.output_text.delta',
        output_index: 0,
        content_index: 0,
        delta: script.deltaText,
      };
    }
    eventsTaken += 1;
    readToEnd = true;
    yield {
      type: 'response.completed',
      response: {
        id: 'resp_streamed',
        status: 'completed',
        output: [],
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    };
  };
  return {
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get eventsTaken() {
      return eventsTaken;
    },
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get readToEnd() {
      return readToEnd;
    },
    stalled: () => stall.promise,
    aborted: () => abort.promise,
    async listModels() {
      return [{ id: 'gpt-5.4' }];
    },
    completeStream() {
      throw new Error('Only /v1/responses is scripted.');
    },
    async createResponseStream(_body: Record<string, unknown>, options: GatewayProviderRequestOptions = {}) {
      const signal = options.signal;
      if (signal?.aborted) abort.resolve();
      else signal?.addEventListener('abort', () => abort.resolve(), { once: true });
      return { events: events(signal) };
    },
  };
}
