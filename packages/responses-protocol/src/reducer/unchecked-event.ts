import type { ResponseOutputItem } from '../events/shared-schemas.js';
import type { ResponsesStreamEventOfType, ResponsesStreamEventType } from '../events/stream-event.js';

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

/** A known event, not validated: its `type` and the unchecked fields of its schema. */
export type UncheckedEvent<Type extends ResponsesStreamEventType> = { readonly type: Type } & Unchecked<
  ResponsesStreamEventOfType<Type>,
  'type'
>;

/** Any known event, not validated, discriminated by `type` (a `switch` on it narrows the fields). */
export type AnyUncheckedEvent = {
  [Type in ResponsesStreamEventType]: UncheckedEvent<Type>;
}[ResponsesStreamEventType];

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
