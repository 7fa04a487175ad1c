import { type AuthSession, type RequestCredentials, resolveAuthSession } from '@codetether/provider-codex';
import { openCredentialStore } from '../credentials-location.js';
import { formatDuration } from '../rendering/duration.js';
import { type DoctorCheck, failed, messageOf, passed } from './doctor-check.js';

/** The login as the doctor found it: the check, and (when usable) the session and its credentials. */
export interface LoginFinding {
  /** The `Login` line. */
  check: DoctorCheck;
  /** The resolved session, when there is a login. */
  session?: AuthSession;
  /** Credentials that work now (refreshed if the token had expired), when there are some. */
  credentials?: RequestCredentials;
}

/** What {@link checkLogin} needs. */
export interface LoginCheckInput {
  /** The environment (home folder, profile, credential store, `OPENAI_API_KEY`). */
  env: Record<string, string | undefined>;
  /** The OAuth issuer. */
  issuer: string;
  /** The clock. */
  now: () => number;
}

/**
 * Finds the active login the way every command does (stored ChatGPT login > stored API key >
 * `OPENAI_API_KEY`) and, for a ChatGPT login, how long its token lasts. An expired token is refreshed,
 * as the next request would do; a login that cannot be refreshed fails with the fix.
 *
 * @param input - environment, issuer and clock
 */
export async function checkLogin(input: LoginCheckInput): Promise<LoginFinding> {
  const name = 'Login';
  const loginFix = 'Run `codetether auth login` (or `codetether auth login --with-api-key`).';
  let session: AuthSession;
  try {
    session = await resolveAuthSession({
      auth: { type: 'auto' },
      env: input.env,
      issuer: input.issuer,
      now: input.now,
    });
  } catch (error) {
    return { check: failed(name, messageOf(error).replace(/ Run `.*$/, ''), loginFix) };
  }
  if (session.mode === 'api-key') {
    const { location } = await session.describe();
    const source = location === 'OPENAI_API_KEY' ? 'from OPENAI_API_KEY' : `stored in ${location}`;
    return {
      check: passed(name, `OpenAI API key, ${source}`),
      session,
      credentials: await session.getCredentials(),
    };
  }
  // The store every command reads: the profile's file, or Redis when CODETETHER_STORE selects it.
  const storedBefore = await openCredentialStore(input.env)
    .read()
    .catch(() => undefined);
  const expiredBefore = storedBefore !== undefined && storedBefore.tokens.expiresAt <= input.now();
  try {
    const credentials = await session.getCredentials();
    const description = await session.describe();
    const who = [description.email, description.planType].filter((part) => part !== undefined).join(', ');
    const left =
      description.expiresAt === undefined ? 'unknown' : formatDuration(description.expiresAt - input.now());
    const token = expiredBefore
      ? `token had expired and was refreshed (valid for ${left})`
      : `token valid for ${left}`;
    return {
      check: passed(name, `ChatGPT${who === '' ? '' : ` (${who})`}; ${token}`),
      session,
      credentials,
    };
  } catch (error) {
    const lead = expiredBefore
      ? 'the ChatGPT token has expired and could not be refreshed'
      : 'the ChatGPT login cannot be used';
    return {
      check: failed(name, `${lead}: ${messageOf(error)}`, 'Run `codetether auth login` to sign in again.'),
      session,
    };
  }
}
