/**
 * Whether `value` is a plain JSON object (not `null`, not an array): what the gateway checks before
 * reading fields of a body, an event or a stored record it did not build itself.
 *
 * @param value - any value
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
