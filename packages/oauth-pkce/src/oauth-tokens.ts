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
