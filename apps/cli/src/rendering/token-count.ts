/**
 * Formats a token count compactly: `950`, `12.3k`, `272k`, `1.2M`.
 *
 * @param count - number of tokens
 */
export function formatTokenCount(count: number): string {
  if (count < 1000) return String(count);
  if (count < 1_000_000) {
    const thousands = count / 1000;
    return `${thousands < 100 ? Number(thousands.toFixed(1)) : Math.round(thousands)}k`;
  }
  return `${Number((count / 1_000_000).toFixed(1))}M`;
}

/**
 * Writes a whole number with comma thousands separators (`1,234,567`), like `toLocaleString('en-US')`
 * but without loading ICU's number formatting, which costs about 10 ms on a CLI's first call.
 *
 * @param value - the number (rounded toward zero)
 */
export function groupThousands(value: number): string {
  const digits = String(Math.trunc(Math.abs(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value < 0 && Math.trunc(value) !== 0 ? `-${digits}` : digits;
}
