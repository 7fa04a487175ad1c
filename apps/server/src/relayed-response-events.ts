import { isRecord } from './is-record.js';
import type { GatewayError } from './openai-error.js';
import { mapStreamErrorChunk } from './upstream-error-mapping.js';

/** An upstream event with its `type`. */
export type ResponsesEvent = { type: string } & Record<string, unknown>;

function isEvent(value: unknown): value is ResponsesEvent {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * Whether an upstream event is an OpenAI Responses stream event (`response.*` or `error`), the only
 * kinds the gateway relays: the OpenAI SDKs' stream helpers fail on anything else, such as the ChatGPT
 * backend's `codex.rate_limits` (surfaced as `x-codex-*` headers and metrics instead).
 *
 * @param type - the event's `type`
 */
export function isOpenAiResponsesEventType(type: string): boolean {
  return type.startsWith('response.') || type === 'error';
}

/** The next upstream event the gateway relays (see {@link isOpenAiResponsesEventType}), or undefined at the end. */
export async function nextRelayedEvent(events: AsyncIterator<unknown>): Promise<ResponsesEvent | undefined> {
  for (;;) {
    const result = await events.next();
    if (result.done === true) return undefined;
    const event = result.value;
    if (isEvent(event) && isOpenAiResponsesEventType(event.type)) return event;
  }
}

/** The gateway error an upstream `error` event stands for (its message and code kept). */
export function errorEventToGatewayError(event: ResponsesEvent): GatewayError {
  const nested = isRecord(event.error) ? event.error : event;
  const message = typeof nested.message === 'string' ? nested.message : 'The upstream reported an error.';
  const code =
    typeof nested.code === 'string' ? nested.code : typeof nested.type === 'string' ? nested.type : undefined;
  return mapStreamErrorChunk(message, code);
}
