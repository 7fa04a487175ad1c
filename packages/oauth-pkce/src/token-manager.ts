import { CODEX_CLIENT_ID, DEFAULT_ISSUER, DEFAULT_REFRESH_WINDOW_MS } from './constants.js';
import type { CredentialStore, StoredChatGptCredentials } from './credentials.js';
import { OAuthError } from './errors.js';
import type { FetchFunction } from './http-request.js';
import { refreshWithJournal } from './journaled-refresh.js';
import { readAccountClaims } from './jwt-claims.js';
import { describeTime, hideSecretsFromInspection, inspectSymbol, redactSecret } from './redaction.js';
import { refreshTokens, revokeToken } from './token-endpoint.js';

/** Options of {@link createTokenManager}. */
export interface TokenManagerOptions {
  /** Where the login is kept (use the file store to share it safely between processes). */
  store: CredentialStore;
  /** The issuer base URL. Default `https://auth.openai.com`. */
  issuer?: string;
  /** The OAuth client id. Default: the Codex CLI's. */
  clientId?: string;
  /** `fetch` for the token endpoint. */
  fetch?: FetchFunction;
  /** Clock. Default `Date.now`. */
  now?: () => number;
  /**
   * Refresh when the access token expires within this many ms. Default 5 minutes. A token whose whole
   * lifetime (`expiresAt - lastRefreshAt`) is no longer than this is refreshed at half its lifetime instead.
   */
  refreshWindowMs?: number;
  /**
   * How long a login read from the store is used again before the store is read anew, ms (default
   * {@link DEFAULT_STORE_READ_INTERVAL_MS}; 0 reads it on every call). A gateway asks for a token on
   * every request: this keeps the file (or Redis) read, its parse and the JWT decoding off that path.
   * A login changed by another process (a refresh, a new login, a logout) is seen within this time;
   * a refresh is always decided on a fresh read under the store's lock.
   */
  storeReadIntervalMs?: number;
}

/** Default of {@link TokenManagerOptions.storeReadIntervalMs}: 1 second. */
export const DEFAULT_STORE_READ_INTERVAL_MS = 1_000;

/** A usable access token with what the ChatGPT backend needs alongside it. */
export interface AccessTokenInfo {
  /** The bearer token. */
  accessToken: string;
  /** The `chatgpt-account-id` header value. */
  accountId?: string;
  /** When the access token expires, in epoch milliseconds. */
  expiresAt: number;
  /** The subscription plan from the token claims. */
  planType?: string;
  /** The account email from the token claims. */
  email?: string;
}

/** Options of {@link TokenManager.logout}. */
export interface LogoutOptions {
  /**
   * Revoke the refresh token at `{issuer}/oauth/revoke` (best effort) before deleting the login.
   * Default: true for CodeTether's own logins, false for an imported Codex CLI login (revoking it
   * would also log the Codex CLI out).
   */
  revoke?: boolean;
}

/**
 * Hands out valid access tokens, refreshing them safely. Keeps the login it last read (or refreshed)
 * for {@link TokenManagerOptions.storeReadIntervalMs} at most, in private fields never printed.
 */
export interface TokenManager {
  /**
   * Returns a valid access token, refreshing it first when it expires within the refresh window.
   * Concurrent callers share one refresh; processes sharing a file store refresh once between them.
   * Throws `not-logged-in`, `refresh-token-rejected` ("log in again"), `refresh-interrupted` (an earlier
   * refresh was lost to a crash; log in again), `network-error` (credentials kept). A refresh token the
   * issuer rejected is sent once: later calls throw the same `refresh-token-rejected` without asking the
   * issuer, until the store holds another login (e.g. after `codetether auth login`).
   */
  getAccessToken(): Promise<AccessTokenInfo>;
  /**
   * Refreshes after the backend rejected `rejectedAccessToken` (HTTP 401). Skips the refresh when the
   * stored token already differs (someone else refreshed). Without an argument it always refreshes.
   */
  forceRefresh(rejectedAccessToken?: string): Promise<AccessTokenInfo>;
  /** Deletes the login, revoking the refresh token first (best effort; see {@link LogoutOptions}). */
  logout(options?: LogoutOptions): Promise<void>;
}

function notLoggedIn(location: string): OAuthError {
  return new OAuthError(
    'not-logged-in',
    `You are not logged in to ChatGPT (no credentials in ${location}). Run \`codetether auth login\`.`,
  );
}

function describe(credentials: StoredChatGptCredentials): AccessTokenInfo {
  const claims = readAccountClaims(credentials.tokens);
  const info: AccessTokenInfo = {
    accessToken: credentials.tokens.accessToken,
    expiresAt: credentials.tokens.expiresAt,
  };
  const accountId = credentials.accountId ?? claims.accountId;
  if (accountId !== undefined) info.accountId = accountId;
  if (claims.planType !== undefined) info.planType = claims.planType;
  if (claims.email !== undefined) info.email = claims.email;
  // Frozen: callers within the read interval share it.
  return Object.freeze(
    hideSecretsFromInspection(
      info,
      (value) =>
        `AccessTokenInfo { accessToken: ${redactSecret(value.accessToken)}, accountId: ${
          value.accountId ?? '[none]'
        }, expiresAt: ${describeTime(value.expiresAt)} }`,
    ),
  );
}

/** A login as read from the store, what {@link describe} made of it, and when it was read. */
interface LoginRead {
  readonly credentials: StoredChatGptCredentials;
  readonly info: AccessTokenInfo;
  readonly readAt: number;
}

class DefaultTokenManager implements TokenManager {
  readonly #store: CredentialStore;
  readonly #issuer: string;
  readonly #clientId: string;
  readonly #fetch: FetchFunction | undefined;
  readonly #now: () => number;
  readonly #refreshWindowMs: number;
  readonly #storeReadIntervalMs: number;
  #inFlight: Promise<StoredChatGptCredentials> | undefined;
  #lastRead: LoginRead | undefined;
  /**
   * The refresh token the issuer last rejected, and its error: a login still holding it is not sent to
   * the issuer again (it would be rejected again) — the error is thrown at once, until the store holds
   * another login.
   */
  #rejectedRefresh: { readonly refreshToken: string; readonly error: OAuthError } | undefined;

  constructor(options: TokenManagerOptions) {
    this.#store = options.store;
    this.#issuer = options.issuer ?? DEFAULT_ISSUER;
    this.#clientId = options.clientId ?? CODEX_CLIENT_ID;
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#refreshWindowMs = options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS;
    this.#storeReadIntervalMs = Math.max(0, options.storeReadIntervalMs ?? DEFAULT_STORE_READ_INTERVAL_MS);
  }

  /** Remembers a login just read or written, with its description. */
  #remember(credentials: StoredChatGptCredentials): LoginRead {
    const read = { credentials, info: describe(credentials), readAt: this.#now() };
    this.#lastRead = read;
    return read;
  }

  /** The login: the one read within the read interval, else read from the store now. */
  async #readLogin(): Promise<LoginRead | undefined> {
    const last = this.#lastRead;
    if (last !== undefined) {
      const age = this.#now() - last.readAt;
      if (age >= 0 && age < this.#storeReadIntervalMs) return last;
    }
    const credentials = await this.#store.read();
    if (credentials === undefined) {
      this.#lastRead = undefined;
      return undefined;
    }
    return this.#remember(credentials);
  }

  #needsRefresh(credentials: StoredChatGptCredentials): boolean {
    // A token issued with a lifetime no longer than the window itself (test issuers, unusual accounts)
    // would be "due" the moment it arrives; refresh it at half its lifetime instead of on every call.
    const lifetime = credentials.tokens.expiresAt - credentials.lastRefreshAt;
    const window = lifetime > 0 && lifetime <= this.#refreshWindowMs ? lifetime / 2 : this.#refreshWindowMs;
    return credentials.tokens.expiresAt - this.#now() <= window;
  }

  async getAccessToken(): Promise<AccessTokenInfo> {
    if (this.#inFlight === undefined) {
      const current = await this.#readLogin();
      if (current === undefined) throw notLoggedIn(this.#store.location);
      if (!this.#needsRefresh(current.credentials)) return current.info;
    }
    const refreshed = await this.#refresh(
      (credentials) => this.#needsRefresh(credentials),
      (credentials) => !this.#needsRefresh(credentials),
    );
    return this.#describeRefreshed(refreshed);
  }

  /** The description of a login a refresh returned (the one remembered when it is that login). */
  #describeRefreshed(credentials: StoredChatGptCredentials): AccessTokenInfo {
    const last = this.#lastRead;
    return last !== undefined && last.credentials === credentials ? last.info : describe(credentials);
  }

  async forceRefresh(rejectedAccessToken?: string): Promise<AccessTokenInfo> {
    const stillRejected = (credentials: StoredChatGptCredentials) =>
      rejectedAccessToken === undefined || credentials.tokens.accessToken === rejectedAccessToken;
    const refreshed = await this.#refresh(stillRejected, (credentials) =>
      rejectedAccessToken === undefined ? true : credentials.tokens.accessToken !== rejectedAccessToken,
    );
    return this.#describeRefreshed(refreshed);
  }

  /**
   * Single-flight refresh. Joins a refresh already in flight when its result satisfies `joinAccepts`;
   * otherwise takes the store lock, re-reads the store (another process may have refreshed), refreshes
   * only when `shouldRefresh` still holds (guarded by the store's refresh journal, see
   * {@link refreshWithJournal}), and persists the rotated tokens before returning.
   */
  async #refresh(
    shouldRefresh: (credentials: StoredChatGptCredentials) => boolean,
    joinAccepts: (credentials: StoredChatGptCredentials) => boolean,
  ): Promise<StoredChatGptCredentials> {
    for (;;) {
      const existing = this.#inFlight;
      if (existing === undefined) break;
      const result = await existing;
      if (joinAccepts(result)) return result;
      if (this.#inFlight === existing) break;
    }
    const flight = this.#store.withLock(async () => {
      const current = await this.#store.read();
      if (current === undefined) {
        this.#lastRead = undefined;
        throw notLoggedIn(this.#store.location);
      }
      // Read under the lock: the freshest login there is.
      this.#remember(current);
      if (!shouldRefresh(current)) return current;
      const rejected = this.#rejectedRefresh;
      if (rejected?.refreshToken === current.tokens.refreshToken) throw rejected.error;
      return this.#refreshOrAdoptNewer(current, shouldRefresh, () =>
        refreshWithJournal({
          refreshToken: current.tokens.refreshToken,
          journal: this.#store.refreshJournal,
          now: this.#now,
          refresh: () =>
            refreshTokens({
              issuer: this.#issuer,
              clientId: this.#clientId,
              refreshToken: current.tokens.refreshToken,
              idToken: current.tokens.idToken,
              fetch: this.#fetch,
              now: this.#now,
            }),
          // The old refresh token is dead now: persist the rotated one before anything else.
          persist: async (tokens) => {
            const next: StoredChatGptCredentials = {
              type: 'chatgpt',
              tokens,
              lastRefreshAt: this.#now(),
              source: current.source,
            };
            const accountId = readAccountClaims(tokens).accountId ?? current.accountId;
            if (accountId !== undefined) next.accountId = accountId;
            await this.#store.write(next);
            this.#remember(next);
            return next;
          },
        }),
      );
    });
    this.#inFlight = flight;
    try {
      return await flight;
    } finally {
      if (this.#inFlight === flight) this.#inFlight = undefined;
    }
  }

  /**
   * Runs `refresh` (which spends `current`'s refresh token); when the issuer rejects that token, reads
   * the store again: another process sharing it may have spent the same token first and saved the
   * login it got (replicas whose shared lock expired during a slow refresh). That newer login is
   * returned when it needs no refresh itself; otherwise the rejection stands.
   */
  async #refreshOrAdoptNewer(
    current: StoredChatGptCredentials,
    shouldRefresh: (credentials: StoredChatGptCredentials) => boolean,
    refresh: () => Promise<StoredChatGptCredentials>,
  ): Promise<StoredChatGptCredentials> {
    try {
      return await refresh();
    } catch (error) {
      if (
        !(error instanceof OAuthError) ||
        (error.code !== 'refresh-token-rejected' && error.code !== 'refresh-interrupted')
      )
        throw error;
      const stored = await this.#store.read().catch(() => undefined);
      if (
        stored === undefined ||
        stored.tokens.refreshToken === current.tokens.refreshToken ||
        shouldRefresh(stored)
      ) {
        if (error.code === 'refresh-token-rejected') {
          this.#rejectedRefresh = { refreshToken: current.tokens.refreshToken, error };
        }
        throw error;
      }
      this.#remember(stored);
      return stored;
    }
  }

  async logout(options: LogoutOptions = {}): Promise<void> {
    await this.#store.withLock(async () => {
      let current: StoredChatGptCredentials | undefined;
      try {
        current = await this.#store.read();
      } catch (error) {
        if (!(error instanceof OAuthError && error.code === 'credentials-corrupt')) throw error;
      }
      const revoke = options.revoke ?? current?.source !== 'codex-cli-import';
      if (current !== undefined && revoke) {
        await revokeToken({
          issuer: this.#issuer,
          clientId: this.#clientId,
          token: current.tokens.refreshToken,
          fetch: this.#fetch,
          timeoutMs: 10_000,
        }).catch(() => {});
      }
      await this.#store.delete();
      this.#lastRead = undefined;
    });
  }

  toJSON(): unknown {
    return { store: this.#store.location, issuer: this.#issuer };
  }

  toString(): string {
    return `TokenManager { store: ${this.#store.location}, issuer: ${this.#issuer} }`;
  }

  [inspectSymbol](): string {
    return `TokenManager { store: '${this.#store.location}', issuer: '${this.#issuer}', tokens: [redacted] }`;
  }
}

/**
 * Creates a {@link TokenManager} over a credential store.
 *
 * @param options - store, issuer, client id, fetch, clock and refresh window
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  return new DefaultTokenManager(options);
}
