import { isRecord } from './is-record.js';

/** The events that end a response and carry its final `response` (with its usage). */
export const TERMINAL_RESPONSE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/** The events that start a response and carry it as it is before its output (`status` `in_progress`). */
const STARTING_RESPONSE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.created',
  'response.queued',
  'response.in_progress',
]);

/**
 * Assembles the final response object of a Responses event stream as the gateway answers it: the
 * terminal event's `response`, its `output` rebuilt from the `response.output_item.done` items when the
 * ChatGPT backend left it empty. Both the non-streaming answer and the stored response read it; until
 * the terminal event, it also tells the response as it is so far ({@link FinalResponseAssembly.inProgress}).
 */
export class FinalResponseAssembly {
  private readonly outputItems: unknown[] = [];
  private started: Record<string, unknown> | undefined;
  private final: Record<string, unknown> | undefined;

  /** Takes one upstream event (any kind; only starting events, output items and terminal events count). */
  observe(event: unknown): void {
    if (!isRecord(event)) return;
    if (event.type === 'response.output_item.done' && event.item !== undefined) {
      this.outputItems.push(event.item);
      return;
    }
    if (typeof event.type !== 'string') return;
    if (STARTING_RESPONSE_EVENT_TYPES.has(event.type)) {
      if (isRecord(event.response)) this.started = event.response;
      return;
    }
    if (!TERMINAL_RESPONSE_EVENT_TYPES.has(event.type)) return;
    const final = isRecord(event.response) ? { ...event.response } : {};
    if (!Array.isArray(final.output) || (final.output.length === 0 && this.outputItems.length > 0)) {
      final.output = [...this.outputItems];
    }
    this.final = final;
  }

  /** The final response object, once a terminal event was observed. */
  result(): Record<string, unknown> | undefined {
    return this.final;
  }

  /** The id the upstream gave the response (from its starting or terminal event), if any yet. */
  responseId(): string | undefined {
    const id = (this.final ?? this.started)?.id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  }

  /**
   * The response as it is while it streams, as OpenAI's API answers a retrieve then: the starting
   * event's object with `status` `in_progress` and the output items done so far; `undefined` before
   * the response started and once it ended (then {@link FinalResponseAssembly.result} tells it).
   */
  inProgress(): Record<string, unknown> | undefined {
    if (this.started === undefined || this.final !== undefined) return undefined;
    return { ...this.started, status: 'in_progress', output: [...this.outputItems] };
  }
}
