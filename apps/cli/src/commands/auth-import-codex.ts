import { importCodexCliLogin, readAccountClaims } from '@codetether/oauth-pkce';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { openCredentialStore } from '../credentials-location.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

/** Options of `codetether auth import-codex`. */
export interface ImportCodexOptions {
  /** The Codex CLI folder (default `$CODEX_HOME` or `~/.codex`). */
  codexHome?: string;
}

/**
 * `codetether auth import-codex`: copies the official Codex CLI's ChatGPT login into CodeTether's
 * store and warns that refreshing the copy logs the Codex CLI out.
 *
 * @param context - streams and environment
 * @param options - the Codex CLI folder
 */
export async function runImportCodex(
  context: CommandContext,
  options: ImportCodexOptions,
): Promise<ExitCode> {
  const store = openCredentialStore(context.env);
  const previous = await store.read().catch(() => undefined);
  let credentials: Awaited<ReturnType<typeof importCodexCliLogin>>;
  try {
    credentials = await importCodexCliLogin({
      store,
      env: context.env,
      ...(options.codexHome === undefined ? {} : { codexHome: options.codexHome }),
    });
  } catch (error) {
    // A missing or unreadable Codex CLI file is a failed import (exit 1) whatever the reason; it says
    // nothing about CodeTether's own login, which stays as it was.
    const code = (error as { code?: unknown } | null)?.code;
    if (
      code === 'codex-login-not-found' ||
      code === 'credentials-corrupt' ||
      code === 'credentials-io-error' ||
      code === 'file-too-large'
    ) {
      throw new CliError('failed', (error as Error).message, { cause: error });
    }
    throw error;
  }
  const claims = readAccountClaims(credentials.tokens);
  const { stdout, stdoutColors: colors, stderr, stderrColors } = context.terminal;
  const who = claims.email ?? 'the Codex CLI account';
  const plan = claims.planType === undefined ? '' : ` (plan ${claims.planType})`;
  stdout.write(`${colors.green('✔')} Imported the Codex CLI login of ${colors.bold(who)}${plan}.\n`);
  stdout.write(
    colors.dim(
      `Credentials saved to ${store.location}${previous === undefined ? '' : ' (replacing the previous login)'}.\n`,
    ),
  );
  stderr.write(
    `${stderrColors.yellow('⚠')} This is a copy of the Codex CLI's login. The first time CodeTether refreshes it, the refresh token rotates and the Codex CLI is logged out (run \`codex login\` there again). To keep both working, use \`codetether auth login\` instead.\n`,
  );
  return EXIT_CODES.success;
}
