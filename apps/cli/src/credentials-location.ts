import { type ApiKeyStore, type CredentialStore, createApiKeyFileStore } from '@codetether/oauth-pkce';
import { resolveEndpoints } from '@codetether/provider-codex/configuration';
import { openCredentialStore as openSelectedCredentialStore } from '@codetether/provider-codex/credential-store';

/**
 * The credential store of this CLI: where `CODETETHER_STORE` says — `$CODETETHER_HOME/auth.json` by
 * default (`~/.codetether/auth.json`), or Redis for a `redis://` / `rediss://` URL.
 *
 * @param env - the environment
 */
export function openCredentialStore(env: Record<string, string | undefined>): CredentialStore {
  return openSelectedCredentialStore(env);
}

/**
 * The stored OpenAI API key of this CLI: `$CODETETHER_HOME/api-key.json`.
 *
 * @param env - the environment
 */
export function openApiKeyStore(env: Record<string, string | undefined>): ApiKeyStore {
  return createApiKeyFileStore({ env });
}

/**
 * The OAuth issuer (`CODETETHER_AUTH_ISSUER`, default https://auth.openai.com).
 *
 * @param env - the environment
 */
export function resolveIssuer(env: Record<string, string | undefined>): string {
  return resolveEndpoints({}, env).issuer;
}
