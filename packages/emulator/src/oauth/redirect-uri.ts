/** Control characters, spaces and DEL: a URI holds none, and `URL` would silently drop or trim them. */
const NOT_URI_CHARACTERS = /[\u0000-\u0020\u007f]/;

/**
 * Tells whether the issuer accepts a redirect URI: a loopback `http` URL (any port — the real issuer
 * only accepts `http://localhost:1455/auth/callback`, other ports exist for tests) or the issuer's own
 * device-flow callback. A URI with control characters or spaces is refused: the redirect would go to
 * the URI `URL` makes of it, not the one given.
 *
 * @param redirectUri - the `redirect_uri` parameter
 * @param issuerUrl - the emulator's base URL
 */
export function isAcceptedRedirectUri(redirectUri: string, issuerUrl: string): boolean {
  if (NOT_URI_CHARACTERS.test(redirectUri)) return false;
  if (redirectUri === `${issuerUrl}/deviceauth/callback`) return true;
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
