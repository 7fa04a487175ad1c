import { join } from 'node:path';
import { DEFAULT_PROFILE, resolveProfileFolder } from '@codetether/oauth-pkce';
import { resolveCredentialStoreSetting } from '@codetether/provider-codex/configuration';
import { type DoctorCheck, failed, messageOf, passed } from './doctor-check.js';

const NAME = 'Credential store';

/** What to do when the Redis store cannot be used, by the store error's code. */
function redisFix(code: unknown): string {
  if (code === 'store-misconfigured') {
    return 'Correct the user name, password or database number in CODETETHER_STORE (redis://[user:password@]host[:port][/database]).';
  }
  return 'Start Redis, or correct the host and port in CODETETHER_STORE (redis://[user:password@]host[:port][/database]); unset CODETETHER_STORE to keep the login in a file.';
}

/** The first sentence of a message (the store's messages go on to say what to do; the fix line says it). */
const firstSentence = (message: string): string => /^.*?[.)](?=\s|$)/.exec(message)?.[0] ?? message;

/**
 * Which credential store `CODETETHER_STORE` selects and, for Redis, whether it answers: its address
 * without the password, the server version, whether a login is stored and whether the refresh lock is
 * held right now. Unreachable, wrong password or a malformed URL fail with one fix line. The Redis
 * package is imported only when Redis is selected.
 *
 * @param env - the environment (`CODETETHER_STORE`, `CODETETHER_HOME`)
 * @param home - the home folder (where the file store keeps `auth.json`)
 * @param profile - the login profile looked at
 */
export async function checkCredentialStore(
  env: Record<string, string | undefined>,
  home: string,
  profile: string,
): Promise<DoctorCheck> {
  let setting: ReturnType<typeof resolveCredentialStoreSetting>;
  try {
    setting = resolveCredentialStoreSetting(env);
  } catch (error) {
    return failed(
      NAME,
      messageOf(error),
      'Set CODETETHER_STORE to redis://[user:password@]host[:port][/database], or unset it.',
    );
  }
  const ofProfile = profile === DEFAULT_PROFILE ? '' : ` (profile ${profile})`;
  if (setting.type === 'file') {
    return passed(NAME, `file ${join(resolveProfileFolder(home, profile), 'auth.json')}`);
  }
  try {
    const { inspectRedisStore } = await import('@codetether/credential-store-redis');
    const found = await inspectRedisStore({ url: setting.url, profile });
    const lock = found.lockHeld
      ? `refresh lock held${found.lockExpiresInMs === undefined ? '' : ` (expires in ${found.lockExpiresInMs} ms unless renewed)`}`
      : 'refresh lock free';
    return passed(
      NAME,
      `Redis ${found.location} reachable (Redis ${found.serverVersion ?? 'version unknown'}); ${found.loggedIn ? 'login stored' : 'no login stored'}${ofProfile}; ${lock}`,
    );
  } catch (error) {
    return failed(NAME, firstSentence(messageOf(error)), redisFix((error as { code?: unknown }).code));
  }
}
