import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import { parseServerArguments, runServerCommand, SERVER_USAGE, ServerUsageError } from './server-command.js';

describe('parseServerArguments', () => {
  it('defaults to 127.0.0.1:8787 with the documented limits', () => {
    expect(parseServerArguments([], {})).toEqual({
      host: '127.0.0.1',
      port: 8787,
      shutdownGraceMs: 10_000,
      logLevel: 'info',
      requireKey: false,
      continuation: {},
      conversationsApi: {},
      backgroundResponses: {},
      storedChatCompletions: true,
      instructions: undefined,
      allowedHosts: [],
      allowedOrigins: [],
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_000,
      modelMap: [],
      profile: 'default',
      failover: [],
    });
  });

  it('reads the instructions, host and origin lists, timeouts and connection cap: flags, then the environment', () => {
    expect(
      parseServerArguments(
        [
          '--instructions',
          'Be terse.',
          '--allowed-hosts',
          'gateway.lan, box',
          '--max-connections',
          '50',
          '--headers-timeout-ms',
          '2000',
        ],
        {
          CODETETHER_SERVER_ALLOWED_HOSTS: 'ignored',
          CODETETHER_SERVER_ALLOWED_ORIGINS: 'http://localhost:3000',
          CODETETHER_SERVER_REQUEST_TIMEOUT_MS: '3000',
          CODETETHER_SERVER_KEEP_ALIVE_TIMEOUT_MS: '1000',
        },
      ),
    ).toMatchObject({
      instructions: 'Be terse.',
      allowedHosts: ['gateway.lan', 'box'],
      allowedOrigins: ['http://localhost:3000'],
      maxConnections: 50,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 3000,
      keepAliveTimeoutMs: 1000,
    });
  });

  it('reads the continuation switch and the index limits', () => {
    expect(parseServerArguments(['--no-continuation'], {})).toMatchObject({ continuation: false });
    expect(parseServerArguments([], { CODETETHER_GATEWAY_CONTINUATION: 'off' })).toMatchObject({
      continuation: false,
    });
    expect(
      parseServerArguments(['--max-conversations', '10', '--conversation-max-age-ms', '60000'], {
        CODETETHER_GATEWAY_CONTINUATION: 'on',
      }),
    ).toMatchObject({ continuation: { maxConversations: 10, maxAgeMs: 60_000 } });
    expect(parseServerArguments(['--max-conversation-bytes', '1048576'], {})).toMatchObject({
      continuation: { maxBytes: 1_048_576 },
    });
    expect(() => parseServerArguments([], { CODETETHER_GATEWAY_CONTINUATION: 'maybe' })).toThrow(
      ServerUsageError,
    );
    expect(() => parseServerArguments(['--max-conversations', '0'], {})).toThrow(ServerUsageError);
  });

  it('reads the Conversations API switch and its store limits', () => {
    expect(parseServerArguments([], {})).toMatchObject({ conversationsApi: {} });
    expect(parseServerArguments(['--no-conversations-api'], {})).toMatchObject({ conversationsApi: false });
    expect(
      parseServerArguments(
        [
          '--max-stored-conversations',
          '50',
          '--stored-conversation-max-age-ms',
          '60000',
          '--max-stored-conversation-bytes',
          '1048576',
        ],
        {},
      ),
    ).toMatchObject({ conversationsApi: { maxConversations: 50, maxAgeMs: 60_000, maxBytes: 1_048_576 } });
    for (const flag of [
      '--max-stored-conversations',
      '--stored-conversation-max-age-ms',
      '--max-stored-conversation-bytes',
    ]) {
      expect(() => parseServerArguments([flag, '0'], {})).toThrow(ServerUsageError);
      expect(() => parseServerArguments([flag, '1e3'], {})).toThrow(ServerUsageError);
    }
    expect(() => parseServerArguments(['--stored-conversation-max-age-ms', '9999999999999'], {})).toThrow(
      ServerUsageError,
    );
    expect(SERVER_USAGE).toContain('--max-stored-conversations');
  });

  it('reads whether chat completions are stored', () => {
    expect(parseServerArguments(['--no-stored-chat-completions'], {})).toMatchObject({
      storedChatCompletions: false,
    });
    expect(SERVER_USAGE).toContain('--no-stored-chat-completions');
  });

  it('reads the most background responses running at once', () => {
    expect(parseServerArguments([], {})).toMatchObject({ backgroundResponses: {} });
    expect(parseServerArguments(['--max-background-responses', '8'], {})).toMatchObject({
      backgroundResponses: { maxRunning: 8 },
    });
    for (const value of ['0', '-1', '1e3', 'many'])
      expect(() => parseServerArguments(['--max-background-responses', value], {})).toThrow(ServerUsageError);
    expect(SERVER_USAGE).toContain('--max-background-responses');
  });

  it('reads the model map from --model-map, then CODETETHER_GATEWAY_MODEL_MAP', () => {
    expect(parseServerArguments(['--model-map', 'claude-*=gpt-5.4'], {})).toMatchObject({
      modelMap: [{ pattern: 'claude-*', model: 'gpt-5.4' }],
    });
    expect(parseServerArguments([], { CODETETHER_GATEWAY_MODEL_MAP: 'llama*=gpt-5.4-mini' })).toMatchObject({
      modelMap: [{ pattern: 'llama*', model: 'gpt-5.4-mini' }],
    });
    expect(() => parseServerArguments(['--model-map', 'claude-*'], {})).toThrow(ServerUsageError);
  });

  it('reads flags, then the environment', () => {
    expect(
      parseServerArguments(['--host', '0.0.0.0', '--port', '9000', '--shutdown-grace-ms', '0'], {}),
    ).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      shutdownGraceMs: 0,
      requireKey: false,
      continuation: {},
      modelMap: [],
    });
    expect(parseServerArguments(['--require-key'], {})).toMatchObject({ requireKey: true });
    expect(
      parseServerArguments([], { CODETETHER_SERVER_HOST: '::1', CODETETHER_SERVER_PORT: '1234' }),
    ).toMatchObject({
      host: '::1',
      port: 1234,
    });
    expect(
      parseServerArguments(['--port', '5'], { CODETETHER_SERVER_HOST: ' ', CODETETHER_SERVER_PORT: '1234' }),
    ).toMatchObject({ host: '127.0.0.1', port: 5 });
    expect(parseServerArguments(['--help'], {})).toBe('help');
    expect(parseServerArguments(['--version'], {})).toBe('version');
    expect(parseServerArguments(['-V'], {})).toBe('version');
  });

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--nope']],
    [['extra']],
    [['--shutdown-grace-ms', '-1']],
    [['--max-connections', '0']],
    [['--headers-timeout-ms', 'soon']],
    [['--headers-timeout-ms', '90000', '--request-timeout-ms', '60000']],
    [['--instructions', ' ']],
  ])('rejects %j with a usage error', (argv) => {
    expect(() => parseServerArguments(argv, {})).toThrow(ServerUsageError);
  });
});

describe('runServerCommand', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'codetether-server-cli-'));
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('prints a generated key once with how to use it, then only where it lives', async () => {
    const run = async () => {
      const output: string[] = [];
      const started = await runServerCommand(['--port', '0'], {
        env: { CODETETHER_HOME: home },
        stdout: (text) => output.push(text),
        stderr: (text) => output.push(text),
        provider: createFakeProvider(),
        logger: createGatewayLogger({ level: 'silent' }),
      });
      if (started === undefined) throw new Error('expected a running gateway');
      const models = await fetch(`${started.gateway.url}/v1/models`);
      await started.gateway.close({ graceMs: 0 });
      return { text: output.join(''), url: started.gateway.url, status: models.status };
    };
    const first = await run();
    const key = /\n {2}(ctsk-\S+)\n/.exec(first.text)?.[1];
    expect(key).toBeDefined();
    expect(first.text).toContain('OPENAI_BASE_URL=http://127.0.0.1:');
    expect(first.text).toContain('mode 0600');
    expect(first.status).toBe(401);
    const second = await run();
    expect(second.text).not.toContain(key);
    expect(second.text).toContain(join(home, 'server-api-key'));
  });

  it('writes the banner to stderr and nothing but log lines to stdout', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const started = await runServerCommand(['--port', '0'], {
      env: { CODETETHER_HOME: home, CODETETHER_SERVER_API_KEY: 'ctsk-banner' },
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
      provider: createFakeProvider(),
      logger: createGatewayLogger({ level: 'silent' }),
    });
    await started?.gateway.close({ graceMs: 0 });
    expect(stdout).toEqual([]);
    expect(stderr.join('')).toContain('codetether-server listening on http://127.0.0.1:');
    expect(stderr.join('')).toContain('CODETETHER_SERVER_API_KEY');
  });

  it('prints the usage for --help without starting', async () => {
    const output: string[] = [];
    const started = await runServerCommand(['--help'], {
      env: {},
      stdout: (text) => output.push(text),
      stderr: () => {},
    });
    expect(started).toBeUndefined();
    expect(output.join('')).toContain('Usage: codetether-server');
  });

  it('prints the version for --version without starting', async () => {
    const output: string[] = [];
    const started = await runServerCommand(['--version'], {
      env: {},
      stdout: (text) => output.push(text),
      stderr: () => {},
    });
    expect(started).toBeUndefined();
    expect(output.join('')).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });
});
