/**
 * The event type transports use to forward an SSE decoder error into the event reducer
 * (`{ type: MALFORMED_EVENT_TYPE, code, message }`). No server sends it: the reducer turns it into
 * an `error` chunk (code `malformed-json` or `invalid-event`) and the stream goes on, except for
 * code `buffer-limit-exceeded`, which ends it.
 */
export const MALFORMED_EVENT_TYPE = 'codetether.malformed_event';

/**
 * The message of an event error for a consumer that skips the event and reads on (the parsers and
 * the reducer of forwarded decoder errors). The SSE decoder's messages say only what was wrong with
 * the event, not what became of the stream: a transport may stop there instead.
 * @internal
 */
export function skippedEventMessage(message: string): string {
  return `${message} The event was skipped and the stream goes on.`;
}
