// `@codetether/responses-protocol/schemas`: the zod schemas of every known Responses stream event
// and `validateResponsesStreamEvent`. A subpath of its own so that the parsers (`.`) never bundle
// zod: import it only where full validation of events is wanted.

export * from './events/control-events.js';
export * from './events/hosted-tool-events.js';
export * from './events/lifecycle-events.js';
export * from './events/output-item-events.js';
export * from './events/reasoning-events.js';
export * from './events/shared-schemas.js';
export * from './events/stream-event.js';
export * from './events/text-events.js';
export * from './events/tool-call-events.js';
