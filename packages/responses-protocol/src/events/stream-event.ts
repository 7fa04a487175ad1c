import { z } from 'zod';
import { controlEventSchemas } from './control-events.js';
import { hostedToolEventSchemas } from './hosted-tool-events.js';
import { lifecycleEventSchemas } from './lifecycle-events.js';
import { outputItemEventSchemas } from './output-item-events.js';
import { reasoningEventSchemas } from './reasoning-events.js';
import { textEventSchemas } from './text-events.js';
import { toolCallEventSchemas } from './tool-call-events.js';

/** Schema of every known Responses stream event, discriminated by `type`. */
export const responsesStreamEventSchema = z.discriminatedUnion('type', [
  ...lifecycleEventSchemas,
  ...outputItemEventSchemas,
  ...textEventSchemas,
  ...reasoningEventSchemas,
  ...toolCallEventSchemas,
  ...hostedToolEventSchemas,
  ...controlEventSchemas,
]);

/** A known Responses stream event (validated shape; unknown extra fields pass through). */
export type ResponsesStreamEvent = z.infer<typeof responsesStreamEventSchema>;

/** The `type` of every known Responses stream event. */
export type ResponsesStreamEventType = ResponsesStreamEvent['type'];

/**
 * The validated shape of one known event, by its `type`, e.g.
 * `ResponsesStreamEventOfType<'response.output_text.delta'>` has `delta: string`.
 */
export type ResponsesStreamEventOfType<Type extends ResponsesStreamEventType> = Extract<
  ResponsesStreamEvent,
  { type: Type }
>;

/** An event this package does not know (or that failed validation): passed through, ignored by the reducer. */
export interface UnknownResponsesEvent {
  /** The event type as sent. */
  type: string;
  /** Any other fields. */
  [field: string]: unknown;
}

/** Schema of an event of any type: an object with a string `type`. */
export const unknownResponsesEventSchema = z.looseObject({ type: z.string() });

const knownEventTypes: ReadonlySet<string> = new Set(
  responsesStreamEventSchema.options.map((option) => option.shape.type.value),
);

/** Whether `type` is the type of a known Responses stream event. */
export function isKnownResponsesEventType(type: string): type is ResponsesStreamEventType {
  return knownEventTypes.has(type);
}

/** The outcome of {@link validateResponsesStreamEvent}. */
export type ResponsesEventValidation =
  | { kind: 'known'; event: ResponsesStreamEvent }
  | { kind: 'unknown'; event: UnknownResponsesEvent }
  | { kind: 'invalid'; event: UnknownResponsesEvent | undefined; issues: string };

/**
 * Fully validates one event with the zod schemas: `known` (valid known event), `unknown` (an
 * object with a `type` this package does not know — pass it on, ignore it), or `invalid` (not an
 * event object, or a known type with wrong fields; `issues` says which).
 */
export function validateResponsesStreamEvent(value: unknown): ResponsesEventValidation {
  const base = unknownResponsesEventSchema.safeParse(value);
  if (!base.success) {
    return { kind: 'invalid', event: undefined, issues: 'the event is not an object with a string "type"' };
  }
  const event = base.data as UnknownResponsesEvent;
  if (!knownEventTypes.has(event.type)) return { kind: 'unknown', event };
  const parsed = responsesStreamEventSchema.safeParse(value);
  if (parsed.success) return { kind: 'known', event: parsed.data };
  return {
    kind: 'invalid',
    event,
    issues: parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; '),
  };
}
