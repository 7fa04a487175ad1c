/**
 * Builds an unsigned test JWT (`header.payload.signature`) with the given payload.
 *
 * @param payload - JWT claims
 */
export function makeJwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.c2lnbmF0dXJl`;
}

/**
 * Builds a ChatGPT-like access token JWT.
 *
 * @param options - account id, plan, email, expiry (epoch seconds) and a marker to make it unique
 */
export function makeChatGptJwt(
  options: { accountId?: string; planType?: string; email?: string; exp?: number; marker?: string } = {},
): string {
  return makeJwt({
    exp: options.exp ?? Math.floor(Date.now() / 1000) + 3600,
    email: options.email ?? 'user@example.com',
    marker: options.marker ?? Math.random().toString(36).slice(2),
    'https://api.openai.com/auth': {
      chatgpt_account_id: options.accountId ?? 'acct_123',
      chatgpt_plan_type: options.planType ?? 'plus',
    },
  });
}
