import { ENCRYPTED_REASONING_INCLUDE } from './conversation-item-input.js';
import { isRecord } from './is-record.js';

/**
 * Whether a Responses body's own `include` asks for `reasoning.encrypted_content`.
 *
 * @param body - the client's Responses body
 */
export function asksForEncryptedReasoning(body: Readonly<Record<string, unknown>>): boolean {
  return Array.isArray(body.include) && body.include.includes(ENCRYPTED_REASONING_INCLUDE);
}

/** Whether an item is a reasoning item carrying `encrypted_content`. */
function carriesEncryptedReasoning(item: unknown): item is Record<string, unknown> {
  return isRecord(item) && item.type === 'reasoning' && 'encrypted_content' in item;
}

/** A copy of a reasoning item without its `encrypted_content`; any other item as it is. */
function itemWithout(item: unknown): unknown {
  if (!carriesEncryptedReasoning(item)) return item;
  const { encrypted_content: _hidden, ...rest } = item;
  return rest;
}

/**
 * A response object as a client that did not ask for encrypted reasoning sees it: a copy whose
 * reasoning output items have no `encrypted_content`, or the same object when none has one (it is
 * never changed: the gateway's own observers keep it).
 *
 * @param response - a response object (of an event, or assembled)
 */
export function responseWithoutEncryptedReasoning<Response extends Record<string, unknown>>(
  response: Response,
): Response {
  const { output } = response;
  if (!Array.isArray(output) || !output.some(carriesEncryptedReasoning)) return response;
  return { ...response, output: output.map(itemWithout) };
}

/**
 * A Responses event as a client that did not ask for encrypted reasoning sees it: a copy without the
 * `encrypted_content` of its reasoning item (`response.output_item.added`/`.done`) or of its response's
 * reasoning output items (`response.created`, `.in_progress`, `.completed`, `.incomplete`, …), or the
 * same event when it carries none (most events: deltas are not copied). The event itself is never
 * changed: the gateway's own observers (the conversation store's, the stored response's) keep it.
 *
 * @param event - an upstream event
 */
export function eventWithoutEncryptedReasoning(event: unknown): unknown {
  if (!isRecord(event)) return event;
  if (carriesEncryptedReasoning(event.item)) return { ...event, item: itemWithout(event.item) };
  if (isRecord(event.response)) {
    const response = responseWithoutEncryptedReasoning(event.response);
    if (response !== event.response) return { ...event, response };
  }
  return event;
}
