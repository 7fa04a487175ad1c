import {
  type ApiKeyStore,
  type CredentialStore,
  createApiKeyFileStore,
  resolveCodetetherHome,
  resolveProfileFolder,
} from '@codetether/oauth-pkce';
import { resolveEndpoints, resolveProfile } from '@codetether/provider-codex/configuration';
import { openCredentialStore as openSelectedCredentialStore } from '@codetether/provider-codex/credential-store';

/**
 * The credential store of this CLI: where `CODETETHER_STORE` says — `$CODETETHER_HOME/auth.json` by
 * default (`~/.codetether/auth.json`), or Redis for a `redis://` / `rediss://` URL — for the profile of
 * `CODETETHER_PROFILE` (set by `--profile`), or `profile` when given.
 *
 * @param env - the environment
 * @param profile - a profile other than the environment's
 */
export function openCredentialStore(
  env: Record<string, string | undefined>,
  profile?: string,
): CredentialStore {
  return openSelectedCredentialStore(env, { profile });
}

/**
 * The stored OpenAI API key of this CLI: `$CODETETHER_HOME/api-key.json` for the default profile,
 * `$CODETETHER_HOME/profiles/<name>/api-key.json` for a named one (API keys are kept per profile, in a
 * file even when `CODETETHER_STORE` is Redis).
 *
 * @param env - the environment
 * @param profile - a profile other than the environment's
 */
export function openApiKeyStore(env: Record<string, string | undefined>, profile?: string): ApiKeyStore {
  return createApiKeyFileStore({ env, profile: resolveProfile(profile, env) });
}

/**
 * The folder of the active profile's local files (the usage-window cache): `$CODETETHER_HOME` for the
 * default profile, `$CODETETHER_HOME/profiles/<name>` for a named one.
 *
 * @param env - the environment
 * @param profile - a profile other than the environment's
 */
export function resolveProfileHome(env: Record<string, string | undefined>, profile?: string): string {
  return resolveProfileFolder(resolveCodetetherHome(env), resolveProfile(profile, env));
}

/**
 * The OAuth issuer (`CODETETHER_AUTH_ISSUER`, default https://auth.openai.com).
 *
 * @param env - the environment
 */
export function resolveIssuer(env: Record<string, string | undefined>): string {
  return resolveEndpoints({}, env).issuer;
}
