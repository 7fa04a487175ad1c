import { hasOpenAiApiKey } from '@codetether/provider-codex/configuration';
import type { CommandContext } from '../command-context.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { removeChatGptLogin, removeStoredApiKey } from '../stored-login.js';

/**
 * `codetether auth logout`: revokes (best effort) and deletes the stored ChatGPT login, and deletes a
 * stored API key. An imported Codex CLI login is deleted without revoking it, so the Codex CLI stays
 * logged in.
 *
 * @param context - streams and environment
 */
export async function runLogout(context: CommandContext): Promise<ExitCode> {
  const { stdout, stdoutColors: colors } = context.terminal;
  const login = await removeChatGptLogin(context.env);
  const apiKeyLocation = await removeStoredApiKey(context.env);
  if (login.kind === 'unreadable') {
    stdout.write(`${colors.green('✔')} Removed the unreadable credentials file ${login.location}.\n`);
  } else if (login.kind !== 'none') {
    stdout.write(`${colors.green('✔')} Logged out. Removed ${login.location}.\n`);
    if (login.kind === 'codex-cli-import') {
      stdout.write(colors.dim("The Codex CLI's own login was left untouched.\n"));
    }
  }
  if (apiKeyLocation !== undefined) {
    stdout.write(`${colors.green('✔')} Removed the stored API key ${apiKeyLocation}.\n`);
  }
  if (login.kind === 'none' && apiKeyLocation === undefined) {
    stdout.write(
      `You were not logged in; there was nothing to remove ${colors.dim(`(${login.location})`)}.\n`,
    );
  }
  if (hasOpenAiApiKey(context.env)) {
    stdout.write(colors.dim('OPENAI_API_KEY is still set, so requests now use API-key mode.\n'));
  }
  return EXIT_CODES.success;
}
