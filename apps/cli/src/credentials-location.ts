import {
  type ApiKeyStore,
  type CredentialStore,
  createApiKeyFileStore,
  createFileCredentialStore,
} from '@codetether/oauth-pkce';
import { resolveEndpoints } from '@codetether/provider-codex/configuration';

/**
 * The credential store of this CLI: `$CODETETHER_HOME/auth.json` (default `~/.codetether/auth.json`).
 *
 * @param env - the environment
 */
export function openCredentialStore(env: Record<string, string | undefined>): CredentialStore {
  return createFileCredentialStore({ env });
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
