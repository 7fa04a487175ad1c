import { redactSecrets } from '@codetether/responses-protocol';

/** The events that may quote the server's error text: `error`, and the ends of a response. */
const EVENTS_WITH_ERROR_TEXT: ReadonlySet<string> = new Set([
  'error',
  'response.failed',
  'response.incomplete',
  'response.cancelled',
  'response.done',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `record` with its string `message` scrubbed, or the record itself when nothing changed. */
function withScrubbedMessage(
  record: Record<string, unknown>,
  secrets: readonly string[],
): Record<string, unknown> {
  if (typeof record.message !== 'string') return record;
  const message = redactSecrets(record.message, secrets);
  return message === record.message ? record : { ...record, message };
}

/**
 * An upstream event as the caller may see it: the server's error text (an `error` event's
 * `message` and `error.message`, a terminal event's `response.error.message`) may echo the token or
 * key that was sent, so that value and anything credential-shaped are replaced by `[redacted]`.
 * Every other event, and an event without such text, is returned as it is (the same object). Pure.
 *
 * @param event - a decoded upstream event
 * @param secrets - the exact values that were sent (the bearer token or API key)
 */
export function withoutSecretsInEvent(event: unknown, secrets: readonly string[]): unknown {
  if (!isRecord(event) || typeof event.type !== 'string' || !EVENTS_WITH_ERROR_TEXT.has(event.type))
    return event;
  if (event.type === 'error') {
    const scrubbed = withScrubbedMessage(event, secrets);
    if (!isRecord(scrubbed.error)) return scrubbed;
    const error = withScrubbedMessage(scrubbed.error, secrets);
    return error === scrubbed.error ? scrubbed : { ...scrubbed, error };
  }
  const response = event.response;
  if (!isRecord(response) || !isRecord(response.error)) return event;
  const error = withScrubbedMessage(response.error, secrets);
  return error === response.error ? event : { ...event, response: { ...response, error } };
}
