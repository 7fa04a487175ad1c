export {
  API_KEY_FILE_VERSION,
  type ApiKeyFileStoreOptions,
  type ApiKeyStore,
  createApiKeyFileStore,
  isPlausibleApiKey,
} from './api-key-store.js';
export { writeFileAtomically } from './atomic-file-write.js';
export { type AuthorizeUrlOptions, buildAuthorizeUrl } from './authorize-url.js';
export { describeByteLimit, readFileHandleAtMost } from './bounded-file-read.js';
export { type BrowserLoginOptions, loginWithBrowser } from './browser-login.js';
export type { BrowserOpener } from './browser-opener.js';
export {
  PROFILES_FOLDER,
  resolveCodetetherHome,
  resolveCodexHome,
  resolveProfileFolder,
  resolveProfileParentFolders,
} from './codetether-home.js';
export {
  CODEX_AUTH_FILE_MAX_BYTES,
  CODEX_CLI_IMPORT_NOTICE,
  type ImportCodexCliLoginOptions,
  importCodexCliLogin,
} from './codex-cli-import.js';
export {
  CALLBACK_PATH,
  CODEX_CLIENT_ID,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_ISSUER,
  DEFAULT_LOGIN_TIMEOUT_MS,
  DEFAULT_ORIGINATOR,
  DEFAULT_REFRESH_WINDOW_MS,
  DEFAULT_SCOPE,
  loopbackRedirectUri,
} from './constants.js';
export {
  type CredentialSource,
  type CredentialStore,
  createStoredCredentials,
  type StoredChatGptCredentials,
} from './credentials.js';
export { parseCredentialsFileContent, serializeCredentialsFileContent } from './credentials-file-content.js';
export {
  fileTooLargeError,
  OWNER_ONLY_FILE_DEFAULT_MAX_BYTES,
  type OwnerOnlyFileLabel,
  type OwnerOnlyFolderOptions,
  type ReadOwnerOnlyFileOptions,
  readOwnerOnlyFile,
  secureOwnerOnlyFolder,
} from './credentials-file-safety.js';
export {
  type DeviceCodeInfo,
  type DeviceCodeLoginOptions,
  loginWithDeviceCode,
} from './device-code-login.js';
export {
  type IssuerError,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type OAuthErrorOptions,
} from './errors.js';
export { createFileCredentialStore, type FileCredentialStoreOptions } from './file-credential-store.js';
export { type FileLockSettings, withFileLock } from './file-lock.js';
export type { FetchFunction } from './http-request.js';
export { type AccountClaims, decodeJwtPayload, readAccountClaims } from './jwt-claims.js';
export { createMemoryCredentialStore } from './memory-credential-store.js';
export type { OAuthTokens } from './oauth-tokens.js';
export {
  type PasteLogin,
  type PasteLoginOptions,
  parsePastedRedirect,
  startPasteLogin,
} from './paste-login.js';
export { createCodeChallenge, createPkcePair, createState, type PkcePair } from './pkce.js';
export { listProfilesHoldingFile } from './profile-listing.js';
export {
  DEFAULT_PROFILE,
  isValidProfileName,
  PROFILE_NAME_PATTERN,
  parseProfileName,
} from './profile-name.js';
export {
  REFRESH_JOURNAL_MAX_BYTES,
  type RefreshJournal,
  type RefreshJournalEntry,
} from './refresh-journal.js';
export type { SleepFunction } from './sleep.js';
export {
  type ExchangeCodeOptions,
  type ExchangeIdTokenOptions,
  exchangeCodeForTokens,
  exchangeIdTokenForApiKey,
  parseIssuerError,
  type RefreshTokensOptions,
  type RevokeTokenOptions,
  refreshTokens,
  revokeToken,
  type TokenEndpointOptions,
} from './token-endpoint.js';
export {
  type AccessTokenInfo,
  createTokenManager,
  DEFAULT_STORE_READ_INTERVAL_MS,
  type LogoutOptions,
  type TokenManager,
  type TokenManagerOptions,
} from './token-manager.js';
