/**
 * The `codex.rate_limits` event sent at the start of every WebSocket response on the ChatGPT
 * backend, mirroring the `x-codex-*` headers (WebSocket clients cannot read per-response headers).
 *
 * @param headers - the `x-codex-*` headers of this response
 */
export function rateLimitEvent(headers: Record<string, string>): Record<string, unknown> {
  const window = (prefix: 'primary' | 'secondary') => ({
    used_percent: Number(headers[`x-codex-${prefix}-used-percent`]),
    window_minutes: Number(headers[`x-codex-${prefix}-window-minutes`]),
    reset_after_seconds: Number(headers[`x-codex-${prefix}-reset-after-seconds`]),
    reset_at: Number(headers[`x-codex-${prefix}-reset-at`]),
  });
  const credits = headers['x-codex-credits-balance'];
  return {
    type: 'codex.rate_limits',
    plan_type: headers['x-codex-plan-type'],
    rate_limits: { primary: window('primary'), secondary: window('secondary') },
    ...(credits === undefined ? {} : { credits: { balance: Number(credits) } }),
    headers,
  };
}
