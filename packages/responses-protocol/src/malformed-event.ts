/**
 * The event type transports use to forward an SSE decoder error into the event reducer
 * (`{ type: MALFORMED_EVENT_TYPE, code, message }`). No server sends it: the reducer turns it into
 * an `error` chunk (code `malformed-json` or `invalid-event`) and the stream goes on, except for
 * code `buffer-limit-exceeded`, which ends it.
 */
export const MALFORMED_EVENT_TYPE = 'codetether.malformed_event';
