/**
 * Every string and byte value reachable from `error` — its text, stack and own fields along the
 * cause chain — as one text, to check that no secret hides anywhere in it.
 */
export function everyValueText(error: unknown): string {
  const parts: string[] = [String(error)];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    parts.push(current.stack ?? '');
    for (const key of Object.getOwnPropertyNames(current)) {
      const value = (current as unknown as Record<string, unknown>)[key];
      if (typeof value === 'string') parts.push(value);
      else if (value instanceof Uint8Array) parts.push(Buffer.from(value).toString('latin1'));
    }
    current = current.cause;
  }
  return parts.join('\n');
}
