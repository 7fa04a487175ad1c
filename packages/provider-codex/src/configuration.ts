import { CodexProviderError } from './errors.js';

/** Default OAuth issuer (`CODETETHER_AUTH_ISSUER`). */
export const DEFAULT_AUTH_ISSUER = 'https://auth.openai.com';
/** Default ChatGPT Codex backend (`CODETETHER_CHATGPT_BASE_URL`). */
export const DEFAULT_CHATGPT_BASE_URL = 'https://chatgpt.com/backend-api/codex';
/** Default OpenAI API base (`CODETETHER_OPENAI_BASE_URL`). */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Default `originator` header, as the official Codex CLI sends it. */
export const DEFAULT_ORIGINATOR = 'codex_cli_rs';
/** How long a session that fell back to HTTP stays on HTTP (10 minutes). */
export const DEFAULT_FALLBACK_STICKY_MS = 10 * 60 * 1000;

/** Which wire the provider uses: `auto` = WebSocket first, HTTP SSE fallback. */
export type TransportMode = 'auto' | 'websocket' | 'http';

const TRANSPORT_MODES: readonly TransportMode[] = ['auto', 'websocket', 'http'];

/** Base URLs after applying options > environment > defaults. */
export interface ResolvedEndpoints {
  /** OAuth issuer. */
  issuer: string;
  /** ChatGPT Codex backend base (no trailing slash). */
  chatgptBaseUrl: string;
  /** OpenAI API base (no trailing slash). */
  openaiBaseUrl: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Resolves the issuer and both base URLs: explicit options win, then the environment, then defaults. */
export function resolveEndpoints(
  options: {
    issuer?: string | undefined;
    chatgptBaseUrl?: string | undefined;
    openaiBaseUrl?: string | undefined;
  },
  env: Record<string, string | undefined>,
): ResolvedEndpoints {
  return {
    issuer: withoutTrailingSlash(
      nonEmpty(options.issuer) ?? nonEmpty(env.CODETETHER_AUTH_ISSUER) ?? DEFAULT_AUTH_ISSUER,
    ),
    chatgptBaseUrl: withoutTrailingSlash(
      nonEmpty(options.chatgptBaseUrl) ??
        nonEmpty(env.CODETETHER_CHATGPT_BASE_URL) ??
        DEFAULT_CHATGPT_BASE_URL,
    ),
    openaiBaseUrl: withoutTrailingSlash(
      nonEmpty(options.openaiBaseUrl) ?? nonEmpty(env.CODETETHER_OPENAI_BASE_URL) ?? DEFAULT_OPENAI_BASE_URL,
    ),
  };
}

/**
 * Resolves the transport mode: the option wins, then `CODETETHER_TRANSPORT`, then `auto`.
 * An unknown value is an `invalid-request` error naming the accepted values.
 */
export function resolveTransportMode(
  option: TransportMode | undefined,
  env: Record<string, string | undefined>,
): TransportMode {
  if (option !== undefined) {
    if (!TRANSPORT_MODES.includes(option)) throw invalidTransport(String(option), 'the transport option');
    return option;
  }
  const fromEnvironment = nonEmpty(env.CODETETHER_TRANSPORT)?.toLowerCase();
  if (fromEnvironment === undefined) return 'auto';
  if (fromEnvironment === 'ws') return 'websocket';
  if (fromEnvironment === 'sse') return 'http';
  if (!(TRANSPORT_MODES as readonly string[]).includes(fromEnvironment)) {
    throw invalidTransport(fromEnvironment, 'CODETETHER_TRANSPORT');
  }
  return fromEnvironment as TransportMode;
}

function invalidTransport(value: string, source: string): CodexProviderError {
  return new CodexProviderError(
    'invalid-request',
    `Unknown transport '${value}' in ${source}. Use one of: ${TRANSPORT_MODES.join(', ')}.`,
    { isRetryable: false },
  );
}
