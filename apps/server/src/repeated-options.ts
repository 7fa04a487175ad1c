import { ServerUsageError } from './server-usage-error.js';

/**
 * Refuses an option given twice (`--port 1 --port 2`): which one was meant cannot be known, and
 * taking the last silently hides a mistake in a unit file or a wrapper script.
 *
 * @param tokens - `parseArgs`'s tokens (`tokens: true`)
 * @throws {@link ServerUsageError} naming the option
 */
export function refuseRepeatedOptions(
  tokens: ReadonlyArray<{ kind: string; name?: string; rawName?: string }>,
): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name)) {
      throw new ServerUsageError(`--${token.name} is given more than once; give it once.`);
    }
    seen.add(token.name);
  }
}
