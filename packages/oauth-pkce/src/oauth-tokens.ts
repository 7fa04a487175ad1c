import { describeTime, hideSecretsFromInspection, redactSecret } from './redaction.js';

/** The ChatGPT OAuth tokens CodeTether keeps. */
export interface OAuthTokens {
  /** The bearer token for the ChatGPT backend (a JWT). */
  accessToken: string;
  /** The rotating refresh token (each refresh returns a new one; the old one stops working). */
  refreshToken: string;
  /** The OpenID Connect id token (account id, plan, email claims), when the issuer sent one. */
  idToken?: string;
  /** When the access token expires, in epoch milliseconds. */
  expiresAt: number;
}

/**
 * Describes tokens without revealing them: `OAuthTokens { accessToken: [redacted: N chars], … }`.
 *
 * @param tokens - the tokens
 */
export function describeOAuthTokens(tokens: OAuthTokens): string {
  return `OAuthTokens { accessToken: ${redactSecret(tokens.accessToken)}, refreshToken: ${redactSecret(
    tokens.refreshToken,
  )}, idToken: ${redactSecret(tokens.idToken)}, expiresAt: ${describeTime(tokens.expiresAt)} }`;
}

/**
 * Makes `util.inspect` and `String()` of a tokens object show {@link describeOAuthTokens} instead of the
 * tokens (in place; returns the same object).
 *
 * @param tokens - the tokens to protect
 */
export function protectOAuthTokens(tokens: OAuthTokens): OAuthTokens {
  return hideSecretsFromInspection(tokens, describeOAuthTokens);
}
