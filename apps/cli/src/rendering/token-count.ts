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
