import { ServerUsageError } from './server-usage-error.js';

/**
 * Refuses an option given twice with different values (`--port 1 --port 2`): which one was meant
 * cannot be known, and taking the last silently hides a mistake in a unit file or a wrapper script.
 * The same value twice (`--require-key --require-key`) leaves nothing to choose and is accepted.
 *
 * @param tokens - `parseArgs`'s tokens (`tokens: true`)
 * @throws {@link ServerUsageError} naming the option
 */
export function refuseRepeatedOptions(
  tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>,
): void {
  const seen = new Map<string, string | undefined>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name) && seen.get(token.name) !== token.value) {
      throw new ServerUsageError(
        `--${token.name} is given more than once, with different values; give it once.`,
      );
    }
    seen.set(token.name, token.value);
  }
}
