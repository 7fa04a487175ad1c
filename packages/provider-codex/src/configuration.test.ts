import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUTH_ISSUER,
  DEFAULT_CHATGPT_BASE_URL,
  DEFAULT_OPENAI_BASE_URL,
  resolveEndpoints,
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
