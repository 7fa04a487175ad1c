/**
 * Where a redirect points, for messages: the origin and path of its `Location` (resolved against the
 * URL that answered) without the query or fragment, which may hold a token; `undefined` when there is
 * no `Location` or it is not a URL. The transports never follow redirects, so the credentials they
 * send never reach another URL; this only names it.
 *
 * @param location - the `Location` header, if any
 * @param base - the URL that answered with the redirect
 */
export function redirectTargetOf(location: string | null | undefined, base: string): string | undefined {
  if (location === undefined || location === null) return undefined;
  try {
    const target = new URL(location, base);
    return `${target.origin}${target.pathname}`;
  } catch {
    return undefined;
  }
}
