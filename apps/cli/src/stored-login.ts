import { createTokenManager } from '@codetether/oauth-pkce';
import { openApiKeyStore, openCredentialStore, resolveIssuer } from './credentials-location.js';

/** What {@link removeChatGptLogin} found and removed. */
export type RemovedChatGptLogin =
  /** Nothing was stored. */
  | { kind: 'none'; location: string }
  /** A login of `codetether auth login` (revoked at the issuer, best effort). */
  | { kind: 'login'; location: string }
  /** A copied Codex CLI login (deleted without revoking it, so the Codex CLI stays logged in). */
  | { kind: 'codex-cli-import'; location: string }
  /** A file that could not be read (deleted as it was). */
  | { kind: 'unreadable'; location: string };

/**
 * Removes the stored ChatGPT login: revokes it at the issuer (best effort) and deletes `auth.json`.
 * A copied Codex CLI login is deleted without revoking it; an unreadable file is simply deleted.
 *
 * @param env - the environment (home folder, issuer)
 */
export async function removeChatGptLogin(
  env: Record<string, string | undefined>,
): Promise<RemovedChatGptLogin> {
  const store = openCredentialStore(env);
  const location = store.location;
  let stored: Awaited<ReturnType<typeof store.read>>;
  try {
    stored = await store.read();
  } catch {
    // An unreadable file is still removed: that is what the user asked for.
    await store.delete();
    return { kind: 'unreadable', location };
  }
  if (stored === undefined) return { kind: 'none', location };
  await createTokenManager({ store, issuer: resolveIssuer(env) }).logout();
  return { kind: stored.source === 'codex-cli-import' ? 'codex-cli-import' : 'login', location };
}

/**
 * Deletes the stored API key. Resolves with the file path when a key (or a damaged file) was there.
 *
 * @param env - the environment (home folder)
 */
export async function removeStoredApiKey(
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const store = openApiKeyStore(env);
  const existed = await store.read().then(
    (key) => key !== undefined,
    () => true,
  );
  await store.delete();
  return existed ? store.location : undefined;
}
