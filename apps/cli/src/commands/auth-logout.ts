import { createTokenManager } from '@codetether/oauth-pkce';
import { hasOpenAiApiKey } from '@codetether/provider-codex/configuration';
import type { CommandContext } from '../command-context.js';
import { openCredentialStore, resolveIssuer } from '../credentials-location.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

/**
 * `codetether auth logout`: revokes (best effort) and deletes the stored ChatGPT login. An imported
 * Codex CLI login is deleted without revoking it, so the Codex CLI stays logged in.
 *
 * @param context - streams and environment
 */
export async function runLogout(context: CommandContext): Promise<ExitCode> {
  const store = openCredentialStore(context.env);
  const { stdout, stdoutColors: colors } = context.terminal;
  let stored: Awaited<ReturnType<typeof store.read>>;
  try {
    stored = await store.read();
  } catch {
    // An unreadable file is still removed: that is what the user asked for.
    await store.delete();
    stdout.write(`${colors.green('✔')} Removed the unreadable credentials file ${store.location}.\n`);
    return EXIT_CODES.success;
  }
  if (stored === undefined) {
    stdout.write(
      `You were not logged in; there was nothing to remove ${colors.dim(`(${store.location})`)}.\n`,
    );
  } else {
    await createTokenManager({ store, issuer: resolveIssuer(context.env) }).logout();
    stdout.write(`${colors.green('✔')} Logged out. Removed ${store.location}.\n`);
    if (stored.source === 'codex-cli-import') {
      stdout.write(colors.dim("The Codex CLI's own login was left untouched.\n"));
    }
  }
  if (hasOpenAiApiKey(context.env)) {
    stdout.write(colors.dim('OPENAI_API_KEY is still set, so requests now use API-key mode.\n'));
  }
  return EXIT_CODES.success;
}
