import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileHandleAtMost } from './bounded-file-read.js';
import { resolveCodexHome } from './codetether-home.js';
import {
  type CredentialStore,
  protectStoredCredentials,
  type StoredChatGptCredentials,
} from './credentials.js';
import { errnoCode } from './credentials-file-errors.js';
import {
  fileTooLargeError,
  NON_BLOCKING,
  notRegularFileError,
  type OwnerOnlyFileLabel,
} from './credentials-file-safety.js';
import { OAuthError } from './errors.js';
import { readAccountClaims } from './jwt-claims.js';
import { defineLazySchemas } from './lazy-schemas.js';
import type { OAuthTokens } from './oauth-tokens.js';

/**
 * What to tell the user before (or right after) importing a Codex CLI login. Refresh tokens rotate and are
 * single-use: the first time CodeTether refreshes the imported copy, the Codex CLI's copy stops working.
 */
export const CODEX_CLI_IMPORT_NOTICE =
  'This copies your Codex CLI login into CodeTether; it does not share it. ChatGPT refresh tokens work only once, ' +
  'so the first time CodeTether refreshes this login (within about an hour), the Codex CLI is logged out and ' +
  'asks you to log in again. To keep both working, run `codetether auth login` instead and give CodeTether its own login.';

/** A Codex CLI `auth.json` is a few kilobytes; anything past this is not one (and is not read). */
export const CODEX_AUTH_FILE_MAX_BYTES = 1024 * 1024;

const CODEX_AUTH_FILE_LABEL: OwnerOnlyFileLabel = {
  name: 'Codex CLI login',
  recovery:
    'log in with the Codex CLI again (`codex login`), or log in directly with `codetether auth login`',
};

/**
 * Reads the Codex CLI's `auth.json` (a symbolic link to a file is followed: dotfile managers link it)
 * without ever blocking or reading without end: it is opened with `O_NONBLOCK` (a FIFO does not wait for
 * a writer) and must be a regular file (not a FIFO, socket, device such as `/dev/zero`, or folder) of at
 * most 1 MiB (`file-too-large` otherwise; the read stops one byte past the limit, even when the file grows
 * meanwhile). Resolves with `undefined` when there is no file.
 */
async function readCodexAuthFile(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | NON_BLOCKING);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw codexReadError(path, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegularFileError(path, info, CODEX_AUTH_FILE_LABEL);
    const bytes =
      info.size > CODEX_AUTH_FILE_MAX_BYTES
        ? undefined
        : await readFileHandleAtMost(handle, CODEX_AUTH_FILE_MAX_BYTES);
    if (bytes === undefined) throw fileTooLargeError(path, CODEX_AUTH_FILE_MAX_BYTES, CODEX_AUTH_FILE_LABEL);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw codexReadError(path, error);
  } finally {
    await handle.close().catch(() => {});
  }
}

function codexReadError(path: string, error: unknown): OAuthError {
  return new OAuthError(
    'credentials-io-error',
    `Could not read the Codex CLI login at ${path} (${errnoCode(error) ?? 'I/O error'}). Check its permissions.`,
    { cause: error, path },
  );
}

/** Options of {@link importCodexCliLogin}. */
export interface ImportCodexCliLoginOptions {
  /** The Codex CLI home folder. Default `$CODEX_HOME` or `~/.codex`. */
  codexHome?: string;
  /** Where to write the copy. */
  store: CredentialStore;
  /** Environment for resolving the default Codex home. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Clock. Default `Date.now`. */
  now?: () => number;
}

const codexAuthFileSchema = defineLazySchemas((z) =>
  z.object({
    OPENAI_API_KEY: z.string().nullable().optional(),
    tokens: z
      .object({
        id_token: z.string().min(1).optional().nullable(),
        access_token: z.string().min(1),
        refresh_token: z.string().min(1),
        account_id: z.string().min(1).optional().nullable(),
      })
      .nullable()
      .optional(),
    last_refresh: z.string().optional().nullable(),
  }),
);

/**
 * Copies an existing official Codex CLI login (`$CODEX_HOME/auth.json`, default `~/.codex/auth.json`) into
 * CodeTether's store with `source: 'codex-cli-import'`. It is a copy, not a shared file: once CodeTether
 * refreshes it, the refresh token rotates and the Codex CLI's copy stops working (the Codex CLI then
 * asks to log in again). Throws `codex-login-not-found` or `credentials-corrupt` with the path.
 *
 * @param options - Codex home and the destination store
 */
export async function importCodexCliLogin(
  options: ImportCodexCliLoginOptions,
): Promise<StoredChatGptCredentials> {
  const path = join(options.codexHome ?? resolveCodexHome(options.env), 'auth.json');
  const text = await readCodexAuthFile(path);
  if (text === undefined) {
    throw new OAuthError(
      'codex-login-not-found',
      `No Codex CLI login was found at ${path}. Log in with the Codex CLI first (\`codex login\`), set CODEX_HOME to its folder, or log in directly with \`codetether auth login\`.`,
      { path },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OAuthError(
      'credentials-corrupt',
      `The Codex CLI login at ${path} is not valid JSON. Log in again with the Codex CLI, or log in directly with \`codetether auth login\`.`,
      { cause: error, path },
    );
  }
  const parsed = (await codexAuthFileSchema()).safeParse(json);
  if (!parsed.success) {
    throw new OAuthError(
      'credentials-corrupt',
      `The file ${path} is not in the Codex CLI's auth.json format. Log in again with the Codex CLI, or log in directly with \`codetether auth login\`.`,
      { cause: new Error('schema mismatch'), path },
    );
  }
  const codexTokens = parsed.data.tokens;
  if (codexTokens === undefined || codexTokens === null) {
    throw new OAuthError(
      'codex-login-not-found',
      `The Codex CLI login at ${path} has no ChatGPT tokens (it uses an API key). Set OPENAI_API_KEY to use API-key mode, or log in with \`codetether auth login\`.`,
      { path },
    );
  }
  const now = options.now ?? Date.now;
  const idToken = codexTokens.id_token ?? undefined;
  const claims = readAccountClaims({ idToken, accessToken: codexTokens.access_token });
  const tokens: OAuthTokens = {
    accessToken: codexTokens.access_token,
    refreshToken: codexTokens.refresh_token,
    // Unknown expiry → 0, so the TokenManager refreshes before first use.
    expiresAt: claims.expiresAt ?? 0,
  };
  if (idToken !== undefined) tokens.idToken = idToken;
  const lastRefresh = parsed.data.last_refresh ? Date.parse(parsed.data.last_refresh) : Number.NaN;
  const credentials: StoredChatGptCredentials = {
    type: 'chatgpt',
    tokens,
    lastRefreshAt: Number.isFinite(lastRefresh) ? lastRefresh : now(),
    source: 'codex-cli-import',
  };
  const accountId = codexTokens.account_id ?? claims.accountId;
  if (accountId !== undefined) credentials.accountId = accountId;
  await options.store.withLock(() => options.store.write(credentials));
  return protectStoredCredentials(credentials);
}
