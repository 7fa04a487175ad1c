import type { CredentialStore, TokenManager } from '@codetether/oauth-pkce';
import {
  createApiKeyFileStore,
  createTokenManager,
  DEFAULT_PROFILE,
  readAccountClaims,
  resolveCodetetherHome,
} from '@codetether/oauth-pkce';
import type { Backend } from '@codetether/responses-protocol';
import { resolveProfile } from './configuration.js';
import { openCredentialStore } from './credential-store-selection.js';
import { CodexProviderError, type CodexProviderErrorCode } from './errors.js';

/**
 * How the provider authenticates. `auto` (default): a stored ChatGPT login, else an API key stored with
 * `codetether auth login --with-api-key`, else `OPENAI_API_KEY`.
 */
export type CodexAuthOption =
  | { type: 'chatgpt'; store?: CredentialStore | undefined; tokenManager?: TokenManager | undefined }
  | { type: 'api-key'; apiKey: string }
  | { type: 'auto' };

/** A description of the active authentication, safe to print (it holds no secret). */
export interface AuthDescription {
  /** `chatgpt` for a ChatGPT login, `api-key` for an OpenAI API key. */
  mode: 'chatgpt' | 'api-key';
  /** The backend requests go to. */
  backend: Backend;
  /** The ChatGPT workspace/account id. */
  accountId?: string;
  /** The login's e-mail address. */
  email?: string;
  /** The ChatGPT plan (plus, pro, team…). */
  planType?: string;
  /** When the current access token expires, epoch ms. */
  expiresAt?: number;
  /** Where the credentials live (file path) or where the key came from. */
  location?: string;
}

/** Credentials for one request. */
export interface RequestCredentials {
  /** Access token or API key for `Authorization: Bearer`. */
  bearerToken: string;
  /** ChatGPT account id (ChatGPT backend only). */
  accountId?: string;
}

/** The provider's resolved authentication: how to get a token, and how to recover from a rejected one. */
export interface AuthSession {
  /** `chatgpt` or `api-key`. */
  readonly mode: 'chatgpt' | 'api-key';
  /** The backend this auth talks to. */
  readonly backend: Backend;
  /** A token (and account id) to use now. */
  getCredentials(): Promise<RequestCredentials>;
  /** Forces one refresh after the server rejected `rejectedToken`; false when refreshing is impossible. */
  refreshAfterRejection(rejectedToken: string): Promise<boolean>;
  /** Describes the auth without secrets. */
  describe(): Promise<AuthDescription>;
}

/** What {@link resolveAuthSession} needs. */
export interface AuthResolutionInput {
  /** The auth the caller asked for. */
  auth: CodexAuthOption;
  /** Environment (`CODETETHER_HOME`, `CODETETHER_PROFILE`, `OPENAI_API_KEY`). */
  env: Record<string, string | undefined>;
  /** The login profile (default `CODETETHER_PROFILE`, else `default`). */
  profile?: string | undefined;
  /** OAuth issuer for token refreshes. */
  issuer: string;
  /** `fetch` for token refreshes. */
  fetch?: typeof fetch | undefined;
  /** Clock, epoch ms. */
  now?: (() => number) | undefined;
}

const NOT_LOGGED_IN_MESSAGE =
  'Not logged in: no ChatGPT login or API key is stored and OPENAI_API_KEY is not set. Run `codetether auth login` to sign in with your ChatGPT account, or `codetether auth login --with-api-key` (or set OPENAI_API_KEY) to use an OpenAI API key.';

/**
 * The message for a named profile that holds no login (`OPENAI_API_KEY` is never used for one).
 *
 * @param profile - the profile name
 */
export function profileNotLoggedInMessage(profile: string): string {
  return `The profile '${profile}' is not logged in: no ChatGPT login or API key is stored for it. Run \`codetether auth login --profile ${profile}\` to sign in (or \`codetether auth login --profile ${profile} --with-api-key\` for an OpenAI API key).`;
}

/** The actionable message for a ChatGPT login without a workspace/account id. */
export const MISSING_ACCOUNT_ID_MESSAGE =
  'OpenAI Codex auth is missing a ChatGPT workspace/account identifier. Re-run `codetether auth login --device-code` and sign in to the intended workspace.';

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** The error's own message when it already says what to do (OAuthError messages do), else undefined. */
function ownMessage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const message = error.message.trim();
  return message === '' ? undefined : message;
}

/** `lead: detail.` with exactly one final punctuation mark. */
function withDetail(lead: string, detail: string | undefined): string {
  const text = detail === undefined ? lead : `${lead}: ${detail}`;
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/** How an oauth-pkce error code is reported: the provider code, the message when the error has none, retry. */
interface AuthErrorReport {
  code: CodexProviderErrorCode;
  /** Used when the error has no message of its own (or always, with `fixedMessage`). */
  message: string;
  isRetryable: boolean;
  /** The error's own message is not used (it would not say what to do). */
  fixedMessage?: boolean;
}

const STORE_UNREADABLE: AuthErrorReport = {
  code: 'not-logged-in',
  message: 'The stored ChatGPT login could not be read. Check the permissions of CODETETHER_HOME.',
  isRetryable: false,
};

/** oauth-pkce's messages already explain what happened and say what to do; these fill in when absent. */
const AUTH_ERROR_REPORTS: Readonly<Record<string, AuthErrorReport>> = {
  'not-logged-in': {
    code: 'not-logged-in',
    message: NOT_LOGGED_IN_MESSAGE,
    isRetryable: false,
    fixedMessage: true,
  },
  'refresh-token-rejected': {
    code: 'unauthorized',
    message: 'Your ChatGPT login could not be refreshed. Run `codetether auth login` to sign in again.',
    isRetryable: false,
  },
  'credentials-corrupt': {
    code: 'not-logged-in',
    message:
      'The stored ChatGPT credentials could not be read. Run `codetether auth login` to sign in again.',
    isRetryable: false,
  },
  aborted: { code: 'aborted', message: 'The request was aborted.', isRetryable: false, fixedMessage: true },
  'network-error': {
    code: 'network-error',
    message:
      'Could not reach the login server to refresh the ChatGPT token. Check your network connection and try again.',
    isRetryable: true,
  },
  'lock-failed': { ...STORE_UNREADABLE, isRetryable: true },
  'credentials-io-error': STORE_UNREADABLE,
  // A stored login over its size limit is refused unread, like any other unreadable one.
  'file-too-large': STORE_UNREADABLE,
  // The shared store of CODETETHER_STORE (@codetether/credential-store-redis); its messages say what to do.
  'store-unavailable': {
    code: 'store-unavailable',
    message:
      'The credential store (CODETETHER_STORE) is unavailable. Check that it is running, then try again.',
    isRetryable: true,
  },
  'store-misconfigured': {
    code: 'store-unavailable',
    message: 'The credential store URL (CODETETHER_STORE) was refused. Correct it and try again.',
    isRetryable: false,
  },
  'write-conflict': {
    code: 'store-unavailable',
    message: 'The refreshed login could not be saved because another process saved a newer one. Try again.',
    isRetryable: true,
  },
};

/** Maps an `OAuthError` (or anything thrown by a store/token manager) to a {@link CodexProviderError}. */
export function mapAuthError(error: unknown): CodexProviderError {
  if (error instanceof CodexProviderError) return error;
  const code = errorCode(error);
  const message = ownMessage(error);
  const report = code === undefined ? undefined : AUTH_ERROR_REPORTS[code];
  const status = report === undefined || report.code === 'unauthorized' ? errorStatus(error) : undefined;
  if (report !== undefined) {
    return new CodexProviderError(
      report.code,
      report.fixedMessage ? report.message : (message ?? report.message),
      {
        cause: error,
        isRetryable: report.isRetryable,
        status,
      },
    );
  }
  return new CodexProviderError(
    'unauthorized',
    message?.includes('codetether auth login')
      ? message
      : `${withDetail('The ChatGPT login could not be used', message)} Run \`codetether auth login\` to sign in again.`,
    { cause: error, isRetryable: false, status },
  );
}

function createApiKeySession(apiKey: string, location: string): AuthSession {
  if (apiKey.trim() === '') {
    throw new CodexProviderError(
      'not-logged-in',
      'The OpenAI API key is empty. Set OPENAI_API_KEY to a valid key or run `codetether auth login`.',
      { isRetryable: false },
    );
  }
  return {
    mode: 'api-key',
    backend: 'openai',
    getCredentials: async () => ({ bearerToken: apiKey }),
    refreshAfterRejection: async () => false,
    describe: async () => ({ mode: 'api-key', backend: 'openai', location }),
  };
}

function createChatGptSession(store: CredentialStore | undefined, tokenManager: TokenManager): AuthSession {
  const accountIdFromStore = async (accessToken: string): Promise<string | undefined> => {
    const stored = store === undefined ? undefined : await store.read().catch(() => undefined);
    if (stored?.accountId) return stored.accountId;
    const claims = readAccountClaims({
      accessToken,
      ...(stored?.tokens.idToken === undefined ? {} : { idToken: stored.tokens.idToken }),
    });
    return claims.accountId;
  };
  /** A valid access token (refreshed if need be) and its account id. */
  const currentToken = async () => {
    let token: Awaited<ReturnType<TokenManager['getAccessToken']>>;
    try {
      token = await tokenManager.getAccessToken();
    } catch (error) {
      throw mapAuthError(error);
    }
    return { token, accountId: token.accountId ?? (await accountIdFromStore(token.accessToken)) };
  };
  return {
    mode: 'chatgpt',
    backend: 'chatgpt',
    async getCredentials() {
      const { token, accountId } = await currentToken();
      if (accountId === undefined || accountId.trim() === '') {
        throw new CodexProviderError('missing-account-id', MISSING_ACCOUNT_ID_MESSAGE, {
          isRetryable: false,
        });
      }
      return { bearerToken: token.accessToken, accountId };
    },
    async refreshAfterRejection(rejectedToken) {
      try {
        await tokenManager.forceRefresh(rejectedToken);
        return true;
      } catch (error) {
        throw mapAuthError(error);
      }
    },
    async describe() {
      const { token, accountId } = await currentToken();
      const description: AuthDescription = {
        mode: 'chatgpt',
        backend: 'chatgpt',
        expiresAt: token.expiresAt,
      };
      if (accountId !== undefined) description.accountId = accountId;
      if (token.email !== undefined) description.email = token.email;
      if (token.planType !== undefined) description.planType = token.planType;
      if (store !== undefined) description.location = store.location;
      return description;
    },
  };
}

/**
 * Resolves the auth option into a session. The ChatGPT login is kept where `CODETETHER_STORE` says
 * (`auth.json` by default, or Redis; see {@link openCredentialStore}). `auto`: what the user stored with
 * `codetether auth login` wins — a ChatGPT login, else an API key (`api-key.json`), both under `CODETETHER_HOME` —
 * then `OPENAI_API_KEY`, else `not-logged-in`. A stored login beats the variable because the variable is
 * often set for other tools, while a login is a deliberate choice for CodeTether. A named profile
 * (`input.profile` or `CODETETHER_PROFILE`) uses only what is stored for it: without a login it is
 * `not-logged-in` naming the profile, never `OPENAI_API_KEY`.
 */
export async function resolveAuthSession(input: AuthResolutionInput): Promise<AuthSession> {
  const { auth, env } = input;
  const profile = resolveProfile(input.profile, env);
  const tokenManagerFor = (store: CredentialStore): TokenManager =>
    createTokenManager({
      store,
      issuer: input.issuer,
      ...(input.fetch === undefined ? {} : { fetch: input.fetch }),
      ...(input.now === undefined ? {} : { now: input.now }),
    });
  if (auth.type === 'api-key') return createApiKeySession(auth.apiKey, 'api key option');
  if (auth.type === 'chatgpt') {
    if (auth.tokenManager !== undefined) return createChatGptSession(auth.store, auth.tokenManager);
    const store = auth.store ?? openCredentialStore(env, { profile });
    return createChatGptSession(store, tokenManagerFor(store));
  }
  let store: CredentialStore;
  let stored: Awaited<ReturnType<CredentialStore['read']>>;
  try {
    store = openCredentialStore(env, { profile });
    stored = await store.read();
  } catch (error) {
    throw mapAuthError(error);
  }
  if (stored !== undefined) return createChatGptSession(store, tokenManagerFor(store));
  const apiKeyStore = createApiKeyFileStore({ home: resolveCodetetherHome(env), profile });
  let storedApiKey: string | undefined;
  try {
    storedApiKey = await apiKeyStore.read();
  } catch (error) {
    throw mapAuthError(error);
  }
  if (storedApiKey !== undefined) return createApiKeySession(storedApiKey, apiKeyStore.location);
  if (profile !== DEFAULT_PROFILE) {
    // OPENAI_API_KEY belongs to no profile: a named profile without a login must say so, not spend it.
    throw new CodexProviderError('not-logged-in', profileNotLoggedInMessage(profile), { isRetryable: false });
  }
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (apiKey !== undefined && apiKey !== '') return createApiKeySession(apiKey, 'OPENAI_API_KEY');
  throw new CodexProviderError('not-logged-in', NOT_LOGGED_IN_MESSAGE, { isRetryable: false });
}
