/**
 * Quotes text for a POSIX shell (bash, zsh) or fish in single quotes.
 *
 * @param text - any text
 * @param shell - `posix` (a quote becomes '\'') or `fish` (backslash escapes)
 */
export function singleQuote(text: string, shell: 'posix' | 'fish' = 'posix'): string {
  return shell === 'fish'
    ? `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
    : `'${text.replaceAll("'", "'\\''")}'`;
}
