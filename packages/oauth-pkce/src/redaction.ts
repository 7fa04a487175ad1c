/** The symbol Node's `util.inspect` calls to render an object. */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/**
 * Shows only the shape of a secret: `[redacted: 123 chars]`.
 *
 * @param secret - a token or key
 */
export function redactSecret(secret: string | undefined): string {
  return secret === undefined ? '[none]' : `[redacted: ${secret.length} chars]`;
}

/**
 * Makes `util.inspect` / `console.log` and `String()` of a token-holding object show `rendered` instead of
 * its secrets. The hook is non-enumerable, so equality checks, spreading and `JSON.stringify` (used to
 * persist credentials deliberately) are unaffected.
 *
 * @param value - the object to protect (modified in place)
 * @param render - builds the safe text shown instead of the object
 */
export function hideSecretsFromInspection<T extends object>(value: T, render: (value: T) => string): T {
  Object.defineProperty(value, inspectSymbol, {
    enumerable: false,
    configurable: true,
    value: () => render(value),
  });
  Object.defineProperty(value, 'toString', {
    enumerable: false,
    configurable: true,
    value: () => render(value),
  });
  return value;
}

/**
 * Formats an epoch-milliseconds time as ISO 8601 for safe descriptions (the raw number when out of range).
 *
 * @param epochMilliseconds - the time
 */
export function describeTime(epochMilliseconds: number): string {
  const date = new Date(epochMilliseconds);
  return Number.isNaN(date.getTime()) ? String(epochMilliseconds) : date.toISOString();
}
