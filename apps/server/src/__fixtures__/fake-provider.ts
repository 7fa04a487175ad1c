import type { CompletionRequest, StreamChunk } from '@codetether/responses-protocol';
import type { GatewayProvider, GatewayProviderRequestOptions } from '../gateway-provider.js';

/** What a fake provider call does: yield chunks, throw before the stream, or wait for a release. */
export type FakeScript =
  | { kind: 'chunks'; chunks: StreamChunk[]; holdAfter?: number }
  | { kind: 'throw'; error: unknown };

/** A provider whose behaviour tests script call by call; it records requests and signals. */
export interface FakeProvider extends GatewayProvider {
  /** Completion requests received. */
  readonly requests: CompletionRequest[];
  /** Raw Responses bodies received. */
  readonly responseBodies: Record<string, unknown>[];
  /** Signals received, per call. */
  readonly signals: (AbortSignal | undefined)[];
  /** Session ids received, per call. */
  readonly sessionIds: (string | undefined)[];
  /** Number of upstream iterators closed (return() called or finished). */
  readonly closedStreams: number;
  /** Scripts for the next calls (shifted one per call; the last one repeats). */
  scripts: FakeScript[];
  /** Responses events for `createResponseStream` (or an error to throw). */
  responseEvents: unknown[] | { error: unknown };
  /** Releases held streams (for `holdAfter`). */
  release(): void;
  /** Resolves when a stream reaches its hold point. */
  held(): Promise<void>;
}

/** Error shaped like a CodexProviderError. */
export class FakeProviderError extends Error {
  readonly code: string;
  readonly status?: number;
  /** Milliseconds. */
  readonly retryAfterMs?: number;
  /** Epoch milliseconds. */
  readonly resetsAt?: number;

  constructor(
    code: string,
    message: string,
    fields: { status?: number; retryAfterMs?: number; resetsAt?: number } = {},
  ) {
    super(message);
    this.code = code;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
    if (fields.resetsAt !== undefined) this.resetsAt = fields.resetsAt;
  }
}

function abortError(): Error {
  return Object.assign(new Error('The request was aborted.'), { code: 'aborted' });
}

/** Creates a scripted fake provider. */
export function createFakeProvider(scripts: FakeScript[] = []): FakeProvider {
  let releaseHeld: () => void = () => {};
  let releasePromise = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  let notifyHeld: () => void = () => {};
  let heldPromise = new Promise<void>((resolve) => {
    notifyHeld = resolve;
  });
  let closedStreams = 0;
  const waitOrAbort = (signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      signal?.addEventListener('abort', () => reject(abortError()), { once: true });
      releasePromise.then(resolve);
    });

  const provider: FakeProvider = {
    requests: [],
    responseBodies: [],
    signals: [],
    sessionIds: [],
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get closedStreams() {
      return closedStreams;
    },
    scripts,
    responseEvents: [],
    release() {
      releaseHeld();
      releasePromise = new Promise<void>((resolve) => {
        releaseHeld = resolve;
      });
    },
    held: () => heldPromise,
    async listModels() {
      return [{ id: 'gpt-5.4' }, { id: 'gpt-5.5' }];
    },
    completeStream(request: CompletionRequest, options: GatewayProviderRequestOptions = {}) {
      provider.requests.push(request);
      provider.signals.push(options.signal);
      provider.sessionIds.push(options.sessionId);
      const script = (provider.scripts.length > 1 ? provider.scripts.shift() : provider.scripts[0]) ?? {
        kind: 'chunks',
        chunks: [{ type: 'done', finishReason: 'stop' }],
      };
      const signal = options.signal;
      return (async function* () {
        try {
          if (script.kind === 'throw') throw script.error;
          for (const [index, chunk] of script.chunks.entries()) {
            if (signal?.aborted) throw abortError();
            if (script.holdAfter === index) {
              notifyHeld();
              heldPromise = new Promise<void>((resolve) => {
                notifyHeld = resolve;
              });
              await waitOrAbort(signal);
            }
            yield chunk;
          }
        } finally {
          closedStreams += 1;
        }
      })();
    },
    async createResponseStream(body, options = {}) {
      provider.responseBodies.push(body);
      provider.signals.push(options.signal);
      provider.sessionIds.push(options.sessionId);
      const source = provider.responseEvents;
      if (!Array.isArray(source)) throw source.error;
      return {
        events: (async function* () {
          try {
            for (const event of source) yield event;
          } finally {
            closedStreams += 1;
          }
        })(),
      };
    },
  };
  return provider;
}

/** Parses an SSE body into its `data:` payloads (and `event:` names). */
export function parseSse(text: string): { event?: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      return event === undefined ? { data } : { event, data };
    });
}
