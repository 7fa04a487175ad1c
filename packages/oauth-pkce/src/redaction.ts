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
