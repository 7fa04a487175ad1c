import { readAccountClaims } from './jwt-claims.js';
import { describeOAuthTokens, type OAuthTokens, protectOAuthTokens } from './oauth-tokens.js';
import { hideSecretsFromInspection } from './redaction.js';
import type { RefreshJournal } from './refresh-journal.js';

/** Where stored credentials came from. */
export type CredentialSource = 'login' | 'codex-cli-import';

/** A ChatGPT login as kept by a {@link CredentialStore}. */
export interface StoredChatGptCredentials {
  /** The kind of login (only ChatGPT OAuth logins are stored). */
  type: 'chatgpt';
  /** The OAuth tokens (the refresh token rotates on every refresh). */
  tokens: OAuthTokens;
  /** The ChatGPT account id from the token claims. */
  accountId?: string;
  /** When the tokens were obtained or last refreshed, in epoch milliseconds. */
  lastRefreshAt: number;
  /** `login` for CodeTether's own logins, `codex-cli-import` for a copied Codex CLI login. */
  source: CredentialSource;
}

/**
 * Where a ChatGPT login is kept. The file store is safe to share between processes; the memory store
 * between callers of one process.
 */
export interface CredentialStore {
  /** A human-readable location (the file path, or `memory`). Never contains secrets. */
  readonly location: string;
  /** Reads the login; undefined when there is none. Throws `credentials-corrupt` for unreadable data. */
  read(): Promise<StoredChatGptCredentials | undefined>;
  /** Replaces the login atomically. Refuses (`credentials-corrupt`) to overwrite data that is not ours. */
  write(credentials: StoredChatGptCredentials): Promise<void>;
  /** Deletes the login (no error when there is none). */
  delete(): Promise<void>;
  /** Runs `fn` holding the store's lock (cross-process for the file store). Not re-entrant. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Where the TokenManager records each refresh before sending it, so that a refresh lost to a crash
   * can be recognised (`refresh-interrupted`). The file store has one (`<file>.refresh-journal`); a
   * store without one (the memory store) refreshes without it.
   */
  readonly refreshJournal?: RefreshJournal | undefined;
  /** The profile this store holds the login of (`default` when the store has no profiles). */
  readonly profile?: string | undefined;
  /**
   * Lists the profiles that hold a login in the same place (this store's siblings), `default` first
   * then alphabetically. Absent when the store cannot enumerate (the memory store).
   */
  listProfiles?(): Promise<string[]>;
}

/** The JSON format version written to `auth.json`. */
export const CREDENTIALS_FILE_VERSION = 1;

/** The JSON shape of the credentials file (`{ version: 1, type: 'chatgpt', tokens, accountId?, lastRefreshAt, source }`). */
export interface CredentialsFile {
  /** Always {@link CREDENTIALS_FILE_VERSION}. */
  version: typeof CREDENTIALS_FILE_VERSION;
  /** Always `chatgpt`. */
  type: 'chatgpt';
  /** The OAuth tokens. */
  tokens: { accessToken: string; refreshToken: string; idToken?: string | undefined; expiresAt: number };
  /** The ChatGPT account id. */
  accountId?: string | undefined;
  /** When the tokens were obtained or last refreshed, epoch ms. */
  lastRefreshAt: number;
  /** Where the login came from. */
  source: CredentialSource;
}

/** The result of {@link checkCredentialsFile}: the content, or the paths of the fields that are wrong. */
export type CredentialsFileCheck =
  | { success: true; data: CredentialsFile }
  | { success: false; invalidFields: string[] };

const CREDENTIAL_SOURCES: readonly string[] = ['login', 'codex-cli-import'] satisfies CredentialSource[];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * Validates credentials file content (hand-written rather than a schema library, because every
 * command reads this file and a validation library would cost more start-up time than the check).
 *
 * @param value - the parsed JSON
 */
export function checkCredentialsFile(value: unknown): CredentialsFileCheck {
  if (!isRecord(value)) return { success: false, invalidFields: ['(root)'] };
  const tokens = value.tokens;
  const tokenChecks: Array<[string, boolean]> = isRecord(tokens)
    ? [
        ['tokens.accessToken', isNonEmptyString(tokens.accessToken)],
        ['tokens.refreshToken', isNonEmptyString(tokens.refreshToken)],
        ['tokens.idToken', tokens.idToken === undefined || isNonEmptyString(tokens.idToken)],
        ['tokens.expiresAt', isFiniteNumber(tokens.expiresAt)],
      ]
    : [['tokens', false]];
  const checks: Array<[string, boolean]> = [
    ['version', value.version === CREDENTIALS_FILE_VERSION],
    ['type', value.type === 'chatgpt'],
    ...tokenChecks,
    ['accountId', value.accountId === undefined || isNonEmptyString(value.accountId)],
    ['lastRefreshAt', isFiniteNumber(value.lastRefreshAt)],
    ['source', typeof value.source === 'string' && CREDENTIAL_SOURCES.includes(value.source)],
  ];
  const invalidFields = checks.filter(([, valid]) => !valid).map(([field]) => field);
  return invalidFields.length > 0
    ? { success: false, invalidFields }
    : { success: true, data: value as unknown as CredentialsFile };
}

/**
 * Converts validated file content to {@link StoredChatGptCredentials} (dropping the version field).
 *
 * @param file - validated file content
 */
export function fromCredentialsFile(file: CredentialsFile): StoredChatGptCredentials {
  const tokens: OAuthTokens = {
    accessToken: file.tokens.accessToken,
    refreshToken: file.tokens.refreshToken,
    expiresAt: file.tokens.expiresAt,
  };
  if (file.tokens.idToken !== undefined) tokens.idToken = file.tokens.idToken;
  protectOAuthTokens(tokens);
  const credentials: StoredChatGptCredentials = {
    type: 'chatgpt',
    tokens,
    lastRefreshAt: file.lastRefreshAt,
    source: file.source,
  };
  if (file.accountId !== undefined) credentials.accountId = file.accountId;
  return protectStoredCredentials(credentials);
}

/**
 * Converts credentials to the file's JSON shape, validating them (throws a TypeError naming the bad fields).
 *
 * @param credentials - the credentials to store
 */
export function toCredentialsFile(credentials: StoredChatGptCredentials): CredentialsFile {
  const checked = checkCredentialsFile({ version: CREDENTIALS_FILE_VERSION, ...credentials });
  if (!checked.success) {
    throw new TypeError(`The credentials are invalid at: ${checked.invalidFields.join(', ')}.`);
  }
  return checked.data;
}

/**
 * Deep-copies credentials so callers cannot mutate what a store holds.
 *
 * @param credentials - the credentials to copy
 */
export function copyCredentials(credentials: StoredChatGptCredentials): StoredChatGptCredentials {
  return fromCredentialsFile(toCredentialsFile(credentials));
}

/**
 * Makes `util.inspect` and `String()` of stored credentials (and of their tokens) show everything but the
 * secrets (in place; returns the same object).
 *
 * @param credentials - the credentials to protect
 */
export function protectStoredCredentials(credentials: StoredChatGptCredentials): StoredChatGptCredentials {
  protectOAuthTokens(credentials.tokens);
  return hideSecretsFromInspection(
    credentials,
    (value) =>
      `StoredChatGptCredentials { type: ${value.type}, source: ${value.source}, accountId: ${
        value.accountId ?? '[none]'
      }, lastRefreshAt: ${value.lastRefreshAt}, tokens: ${describeOAuthTokens(value.tokens)} }`,
  );
}

/**
 * Turns the tokens a login returned into credentials ready for {@link CredentialStore.write}: the account id
 * read from the token claims, `lastRefreshAt` now, `source` `login` unless told otherwise.
 *
 * @param tokens - the tokens from `loginWithBrowser`, `loginWithDeviceCode` or a paste login
 * @param options - the source and a clock (default `Date.now`)
 */
export function createStoredCredentials(
  tokens: OAuthTokens,
  options: { source?: CredentialSource; now?: () => number } = {},
): StoredChatGptCredentials {
  const credentials: StoredChatGptCredentials = {
    type: 'chatgpt',
    tokens,
    lastRefreshAt: (options.now ?? Date.now)(),
    source: options.source ?? 'login',
  };
  const { accountId } = readAccountClaims(tokens);
  if (accountId !== undefined) credentials.accountId = accountId;
  return copyCredentials(credentials);
}
