import { describe, expect, it } from 'vitest';
import { DEFAULT_CLI_PORT, describeEmulator, parseCliArguments } from './cli-arguments.js';
import { EmulatorError } from './errors.js';

describe('parseCliArguments', () => {
  it('defaults to 127.0.0.1 and the default port', () => {
    expect(parseCliArguments([])).toEqual({
      kind: 'start',
      options: { port: DEFAULT_CLI_PORT, host: '127.0.0.1' },
    });
  });

  it('reads port, host, scenario and pacing', () => {
    expect(
      parseCliArguments(['--port', '0', '--host', '0.0.0.0', '--scenario', 'slow', '--token-delay-ms', '5']),
    ).toEqual({ kind: 'start', options: { port: 0, host: '0.0.0.0', scenario: 'slow', eventDelayMs: 5 } });
    expect(parseCliArguments(['--help'])).toEqual({ kind: 'help' });
  });

  it('reads the WebSocket connection age limit', () => {
    expect(parseCliArguments(['--max-connection-age-ms', '90000'])).toMatchObject({
      options: { maxConnectionAgeMs: 90_000 },
    });
    expect(parseCliArguments(['--max-connection-age-ms', '0'])).toMatchObject({
      options: { maxConnectionAgeMs: 0 },
    });
    expect(() => parseCliArguments(['--max-connection-age-ms', '-1'])).toThrow(/--max-connection-age-ms/);
    expect(() => parseCliArguments(['--max-connection-age-ms', 'soon'])).toThrow(/--max-connection-age-ms/);
  });

  it('rejects unknown scenarios, bad numbers and unknown flags', () => {
    expect(() => parseCliArguments(['--scenario', 'nope'])).toThrow(EmulatorError);
    expect(() => parseCliArguments(['--port', 'abc'])).toThrow(/--port/);
    expect(() => parseCliArguments(['--bogus'])).toThrow(EmulatorError);
  });
});

describe('describeEmulator', () => {
  it('prints the URL and the CODETETHER_* export lines', () => {
    const text = describeEmulator({
      url: 'http://127.0.0.1:1456',
      issuerUrl: 'http://127.0.0.1:1456',
      chatgptBaseUrl: 'http://127.0.0.1:1456/backend-api/codex',
      openaiBaseUrl: 'http://127.0.0.1:1456/v1',
    });
    expect(text).toContain('http://127.0.0.1:1456');
    expect(text).toContain('export CODETETHER_AUTH_ISSUER=http://127.0.0.1:1456');
    expect(text).toContain('export CODETETHER_CHATGPT_BASE_URL=http://127.0.0.1:1456/backend-api/codex');
    expect(text).toContain('export CODETETHER_OPENAI_BASE_URL=http://127.0.0.1:1456/v1');
  });
});
