import type { ResponseOutputItem } from '../events/shared-schemas.js';
import type { ResponsesStreamEventOfType, ResponsesStreamEventType } from '../events/stream-event.js';
import type { StreamChunk } from '../stream-chunk.js';

/** The named fields of `Shape`, without its index signature (`looseObject` types have one). */
type NamedFields<Shape> = keyof {
  [Field in keyof Shape as string extends Field ? never : number extends Field ? never : Field]: Shape[Field];
};

/**
 * An object as it arrives off the wire: the field names of `Shape` (so a misspelt field does not
 * compile), each of unknown type until checked. The reducer reads events through these types and
 * checks every value it uses, instead of validating whole events.
 */
export type Unchecked<Shape, Except extends PropertyKey = never> = {
  readonly [Field in Exclude<NamedFields<Shape>, Except>]?: unknown;
};

/**
 * A known event, not validated: its `type` and the unchecked fields of its schema. Given a union of
 * types, a union of events that a `switch` on `type` narrows.
 */
export type UncheckedEvent<Type extends ResponsesStreamEventType> = Type extends ResponsesStreamEventType
  ? { readonly type: Type } & Unchecked<ResponsesStreamEventOfType<Type>, 'type'>
  : never;

/** Any known event, not validated, discriminated by `type`. */
export type AnyUncheckedEvent = UncheckedEvent<ResponsesStreamEventType>;

/** An output item (`message`, `reasoning`, `function_call`, …), not validated. */
export type UncheckedOutputItem = Unchecked<ResponseOutputItem>;

/** Whether `value` is a non-null object (whose fields can then be read and checked). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `value` if it is a string, else `undefined`. */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` if it is a number (an output, content or summary index), else `undefined`. */
export function optionalIndex(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * Reports an event whose `field` is missing or of the wrong type: a non-fatal `invalid-event` error
 * chunk (the event is skipped, the stream goes on).
 */
export function reportInvalidField(type: string, field: string, out: StreamChunk[]): void {
  out.push({
    type: 'error',
    code: 'invalid-event',
    message: `The server sent a "${type}" event without a valid "${field}" field; it was skipped. The output may be incomplete.`,
  });
}

/**
 * The `default` of a `switch` over event types that must have a case for every type it is given:
 * `event` is `never` there, so a missing case fails to compile. At run time only an event of a type
 * no schema knows gets here, and it is ignored.
 */
export function ignoreUnknownEventType(_event: never): void {}
