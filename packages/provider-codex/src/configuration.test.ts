import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DEFAULT_ISSUER } from '@codetether/oauth-pkce';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUTH_ISSUER,
  DEFAULT_CHATGPT_BASE_URL,
  DEFAULT_GATEWAY_INSTRUCTIONS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_OPENAI_BASE_URL,
  ENVIRONMENT_VARIABLES,
  hasOpenAiApiKey,
  readEnvironmentSetting,
  readServerApiKey,
  resolveEndpoints,
  resolveGatewayInstructions,
  resolveLogLevel,
  resolveTransportMode,
} from './configuration.js';
import { CodexProviderError } from './errors.js';

describe('resolveEndpoints', () => {
  it('uses the defaults of ARCHITECTURE.md', () => {
    expect(resolveEndpoints({}, {})).toEqual({
      issuer: DEFAULT_AUTH_ISSUER,
      chatgptBaseUrl: DEFAULT_CHATGPT_BASE_URL,
      openaiBaseUrl: DEFAULT_OPENAI_BASE_URL,
    });
    expect(DEFAULT_CHATGPT_BASE_URL).toBe('https://chatgpt.com/backend-api/codex');
  });

  it('uses the same default issuer as @codetether/oauth-pkce', () => {
    expect(DEFAULT_AUTH_ISSUER).toBe(DEFAULT_ISSUER);
  });

  it('prefers options over the environment and strips trailing slashes', () => {
    const env = {
      CODETETHER_AUTH_ISSUER: 'http://127.0.0.1:1/',
      CODETETHER_CHATGPT_BASE_URL: 'http://127.0.0.1:1/backend-api/codex/',
      CODETETHER_OPENAI_BASE_URL: ' ',
    };
    expect(resolveEndpoints({}, env)).toEqual({
      issuer: 'http://127.0.0.1:1',
      chatgptBaseUrl: 'http://127.0.0.1:1/backend-api/codex',
      openaiBaseUrl: DEFAULT_OPENAI_BASE_URL,
    });
    expect(resolveEndpoints({ chatgptBaseUrl: 'http://127.0.0.1:2/x' }, env).chatgptBaseUrl).toBe(
      'http://127.0.0.1:2/x',
    );
  });
});

describe('resolveTransportMode', () => {
  it('defaults to auto and reads CODETETHER_TRANSPORT', () => {
    expect(resolveTransportMode(undefined, {})).toBe('auto');
    expect(resolveTransportMode(undefined, { CODETETHER_TRANSPORT: 'HTTP' })).toBe('http');
    expect(resolveTransportMode(undefined, { CODETETHER_TRANSPORT: 'websocket' })).toBe('websocket');
    expect(resolveTransportMode('http', { CODETETHER_TRANSPORT: 'websocket' })).toBe('http');
  });

  it('rejects an unknown value with the accepted ones', () => {
    expect(() => resolveTransportMode(undefined, { CODETETHER_TRANSPORT: 'carrier-pigeon' })).toThrow(
      /Unknown transport 'carrier-pigeon' in CODETETHER_TRANSPORT. Use one of: auto, websocket, http/,
    );
    expect(() => resolveTransportMode(undefined, { CODETETHER_TRANSPORT: 'x' })).toThrow(CodexProviderError);
  });
});

describe('the other settings', () => {
  it('treats a blank variable as unset and trims values', () => {
    expect(readEnvironmentSetting({ CODETETHER_HOME: '  ' }, ENVIRONMENT_VARIABLES.home)).toBeUndefined();
    expect(readEnvironmentSetting({ CODETETHER_HOME: ' /tmp/x ' }, ENVIRONMENT_VARIABLES.home)).toBe(
      '/tmp/x',
    );
  });

  it('reports whether OPENAI_API_KEY is set', () => {
    expect(hasOpenAiApiKey({ OPENAI_API_KEY: 'sk-test' })).toBe(true);
    expect(hasOpenAiApiKey({ OPENAI_API_KEY: ' ' })).toBe(false);
    expect(hasOpenAiApiKey({})).toBe(false);
  });

  it('resolves the log level: option, then CODETETHER_LOG_LEVEL, then info', () => {
    expect(resolveLogLevel(undefined, {})).toBe(DEFAULT_LOG_LEVEL);
    expect(resolveLogLevel(undefined, { CODETETHER_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(resolveLogLevel('warn', { CODETETHER_LOG_LEVEL: 'debug' })).toBe('warn');
  });

  it('resolves the gateway instructions: option, then CODETETHER_SERVER_INSTRUCTIONS, then a neutral one', () => {
    expect(resolveGatewayInstructions(undefined, {})).toBe(DEFAULT_GATEWAY_INSTRUCTIONS);
    expect(DEFAULT_GATEWAY_INSTRUCTIONS).not.toMatch(/CodeTether|workspace/);
    expect(resolveGatewayInstructions(undefined, { CODETETHER_SERVER_INSTRUCTIONS: ' Be terse. ' })).toBe(
      'Be terse.',
    );
    expect(resolveGatewayInstructions('Mine.', { CODETETHER_SERVER_INSTRUCTIONS: 'Env.' })).toBe('Mine.');
  });

  it('reads the server key from CODETETHER_SERVER_API_KEY', () => {
    expect(readServerApiKey({ CODETETHER_SERVER_API_KEY: ' ctsk-1 ' })).toBe('ctsk-1');
    expect(readServerApiKey({ CODETETHER_SERVER_API_KEY: '' })).toBeUndefined();
  });
});

describe('the @codetether/provider-codex/configuration subpath', () => {
  const entry = new URL('../dist/configuration.js', import.meta.url);

  it.skipIf(!existsSync(entry))(
    'loads only its own chunks and oauth-pkce constants and profile names: no transport, WebSocket, zod or provider code',
    async () => {
      const seen = new Set<string>();
      const bareImports: string[] = [];
      const visit = async (url: URL): Promise<void> => {
        if (seen.has(url.href)) return;
        seen.add(url.href);
        const source = await readFile(url, 'utf8');
        for (const [, specifier] of source.matchAll(
          /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g,
        )) {
          if (specifier === undefined) continue;
          if (specifier.startsWith('./')) await visit(new URL(specifier, url));
          else bareImports.push(specifier);
        }
      };
      await visit(entry);
      expect(new Set(bareImports)).toEqual(
        new Set(['@codetether/oauth-pkce/constants', '@codetether/oauth-pkce/profile-name']),
      );
      expect([...seen].some((url) => url.endsWith('/index.js'))).toBe(false);
    },
  );
});
