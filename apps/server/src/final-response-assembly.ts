import { isRecord } from './is-record.js';

/** The events that end a response and carry its final `response` (with its usage). */
export const TERMINAL_RESPONSE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/**
 * Assembles the final response object of a Responses event stream as the gateway answers it: the
 * terminal event's `response`, its `output` rebuilt from the `response.output_item.done` items when the
 * ChatGPT backend left it empty. Both the non-streaming answer and the stored response read it.
 */
export class FinalResponseAssembly {
  private readonly outputItems: unknown[] = [];
  private final: Record<string, unknown> | undefined;

  /** Takes one upstream event (any kind; only output items and terminal events count). */
  observe(event: unknown): void {
    if (!isRecord(event)) return;
    if (event.type === 'response.output_item.done' && event.item !== undefined) {
      this.outputItems.push(event.item);
      return;
    }
    if (typeof event.type !== 'string' || !TERMINAL_RESPONSE_EVENT_TYPES.has(event.type)) return;
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
}
