import { OAuthError } from './errors.js';
import type { OAuthTokens } from './oauth-tokens.js';
import { describeTime } from './redaction.js';
import { fingerprintRefreshToken, type RefreshJournal, type RefreshJournalEntry } from './refresh-journal.js';

/** Issuer errors that a refresh token already spent by a lost refresh gets. */
const SPENT_REFRESH_TOKEN_ERRORS: ReadonlySet<string> = new Set(['invalid_grant', 'refresh_token_reused']);

/** What {@link refreshWithJournal} needs. */
export interface JournaledRefresh<T> {
  /** The refresh token about to be spent. */
  refreshToken: string;
  /** The store's journal; without one the refresh is simply made and persisted. */
  journal: RefreshJournal | undefined;
  /** Sends the refresh request. */
  refresh(): Promise<OAuthTokens>;
  /** Saves the new tokens (the old refresh token is dead once `refresh` resolved). */
  persist(tokens: OAuthTokens): Promise<T>;
  /** Clock, epoch ms. */
  now(): number;
}

function refreshInterruptedError(entry: RefreshJournalEntry, rejection: OAuthError): OAuthError {
  return new OAuthError(
    'refresh-interrupted',
    `A token refresh was interrupted at ${describeTime(entry.startedAt)} before the new login could be saved; the issuer has probably already rotated the refresh token, so the saved login no longer works. Run \`codetether auth login\` again.`,
    {
      cause: rejection,
      ...(rejection.status === undefined ? {} : { status: rejection.status }),
      ...(rejection.issuerError === undefined ? {} : { issuerError: rejection.issuerError }),
    },
  );
}

/**
 * Makes one refresh, guarded by the store's refresh journal (call it holding the store's lock):
 *
 * 1. When the journal records a refresh that spent this very refresh token, that refresh may have been
 *    lost (a crash after the issuer rotated the token and before the new one was saved). Otherwise the
 *    attempt is recorded (fingerprint and time, fsync'd) before the request is sent.
 * 2. The new tokens are persisted before anything else; then the journal is removed (best effort).
 * 3. If the issuer rejects the token as spent (`invalid_grant`, `refresh_token_reused`) and the journal
 *    showed a lost refresh, the error is `refresh-interrupted` (what happened, and to log in again); the
 *    journal stays so the same explanation is given until the user logs in again. Any other definite
 *    rejection removes the journal. Failures without a definite answer (network errors, 5xx, an
 *    unreadable 200) keep it: the issuer may have rotated the token.
 *
 * @param refresh - the token, journal, request, persistence and clock
 */
export async function refreshWithJournal<T>(refresh: JournaledRefresh<T>): Promise<T> {
  const { journal } = refresh;
  const refreshTokenFingerprint = fingerprintRefreshToken(refresh.refreshToken);
  const recorded = await journal?.read();
  const possiblyLost = recorded?.refreshTokenFingerprint === refreshTokenFingerprint ? recorded : undefined;
  if (journal !== undefined && possiblyLost === undefined) {
    await journal.write({ refreshTokenFingerprint, startedAt: refresh.now() });
  }
  let tokens: OAuthTokens;
  try {
    tokens = await refresh.refresh();
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'refresh-token-rejected') {
      const spent = SPENT_REFRESH_TOKEN_ERRORS.has(error.issuerError?.error ?? '');
      if (possiblyLost !== undefined && spent) throw refreshInterruptedError(possiblyLost, error);
      await journal?.clear().catch(() => {});
    }
    throw error;
  }
  // Persist first: until the rotated refresh token is saved, a crash loses the login.
  const persisted = await refresh.persist(tokens);
  await journal?.clear().catch(() => {});
  return persisted;
}
