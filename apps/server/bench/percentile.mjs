// The percentile the gateway benches report (nearest rank).

/** The `p`th percentile of `values` by nearest rank (p 50 of an odd count is its median). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
