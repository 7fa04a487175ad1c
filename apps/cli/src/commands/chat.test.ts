import { type Emulator, REASONING_SUMMARY, startEmulator, TEXT_ANSWER } from '@codetether/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestEnvironment,
  ESCAPE_CODE,
  runCli,
  startCli,
  storeEmulatorLogin,
  type TestEnvironment,
} from '../testing/cli-harness.js';

let emulator: Emulator;
let environment: TestEnvironment;

beforeAll(async () => {
  emulator = await startEmulator({ scenario: 'text' });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  environment = await createTestEnvironment(emulator);
  await storeEmulatorLogin(emulator, environment.home);
  emulator.setOptions({ scenario: 'text' });
  emulator.clearRequests();
});
afterEach(async () => {
  await environment.cleanup();
});

function responseBodies(): Record<string, unknown>[] {
  return emulator.requests
    .filter((request) => request.path.endsWith('/responses') && request.body !== undefined)
    .map((request) => request.body as Record<string, unknown>);
}

const USAGE_LINE =
  /^gpt-5\.4 · [\d,]+ in \([\d,]+ cached\) · [\d,]+ out( \([\d,]+ reasoning\))? · \d+\.\d s$/m;

describe('codetether chat', () => {
  it('streams the answer to stdout and one usage line to stderr, over the WebSocket', async () => {
    const result = await runCli(['chat', 'Hello', 'there'], environment.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${TEXT_ANSWER}\n`);
    expect(result.stderr).toMatch(USAGE_LINE);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(ESCAPE_CODE);
    const requests = emulator.requests.filter((request) => request.path.endsWith('/responses'));
    expect(requests.map((request) => request.transport)).toEqual(['websocket']);
  });

  it('reads the prompt from piped stdin', async () => {
    emulator.setOptions({ scenario: 'echo' });
    const result = await runCli(['chat'], environment.env, 'Repeat after me: piped prompt\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Repeat after me: piped prompt\n');
  });

  it('stops a streaming answer on Ctrl-C with exit 130', async () => {
    emulator.setOptions({ scenario: 'slow', eventDelayMs: 200 });
    try {
      const chat = startCli(['chat', 'Hi'], environment.env);
      await chat.waitFor(/Hello from/);
      chat.child.kill('SIGINT');
      const result = await chat.exited;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Cancelled.');
      expect(result.stdout).not.toContain(TEXT_ANSWER);
    } finally {
      emulator.setOptions({ eventDelayMs: 0 });
    }
  });

  it('exits 2 when there is no prompt at all', async () => {
    const result = await runCli(['chat'], environment.env, '');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No prompt was given');
    expect(result.stdout).toBe('');
  });

  it('prints one StreamChunk JSON per line and nothing else with --json', async () => {
    emulator.setOptions({ scenario: 'reasoning' });
    const result = await runCli(['chat', '--json', 'Hi'], environment.env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const chunks = lines.map((line) => JSON.parse(line) as { type: string; text?: string });
    expect(chunks.some((chunk) => chunk.type === 'thinking')).toBe(true);
    expect(
      chunks
        .filter((chunk) => chunk.type === 'text')
        .map((chunk) => chunk.text)
        .join(''),
    ).toBe(TEXT_ANSWER);
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(result.stderr).toMatch(USAGE_LINE);
  });

  it('shows the reasoning on stderr, or hides it with --no-thinking', async () => {
    emulator.setOptions({ scenario: 'reasoning' });
    const shown = await runCli(['chat', 'Hi'], environment.env);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(REASONING_SUMMARY);
    expect(shown.stdout).toBe(`${TEXT_ANSWER}\n`);

    const hidden = await runCli(['chat', '--no-thinking', 'Hi'], environment.env);
    expect(hidden.code).toBe(0);
    expect(hidden.stderr).not.toContain('Planning the answer');
  });

  it('sends the model alias effort, the system text and the chosen transport', async () => {
    const result = await runCli(
      ['chat', '--model', 'gpt-5.4:high', '--system', 'Answer like a pirate.', '--transport', 'http', 'Hi'],
      environment.env,
    );
    expect(result.code).toBe(0);
    const [body] = responseBodies();
    expect(body).toMatchObject({ model: 'gpt-5.4', instructions: 'Answer like a pirate.' });
    expect((body?.reasoning as { effort?: string } | undefined)?.effort).toBe('high');
    const requests = emulator.requests.filter((request) => request.path.endsWith('/responses'));
    expect(requests.map((request) => request.transport)).toEqual(['http']);
  });

  it('exits 2 for a model the ChatGPT backend does not serve', async () => {
    const result = await runCli(['chat', '--model', 'gpt-3-turbo', 'Hi'], environment.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Model 'gpt-3-turbo' is not supported");
    expect(responseBodies()).toHaveLength(0);
  });

  it('exits 3 with the login command when not logged in', async () => {
    const fresh = await createTestEnvironment(emulator);
    try {
      const result = await runCli(['chat', 'Hi'], fresh.env);
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('codetether auth login');
    } finally {
      await fresh.cleanup();
    }
  });

  it('exits 1 with one sentence on a server error, and shows details only with --debug', async () => {
    emulator.setOptions({ scenario: 'failed' });
    const result = await runCli(['chat', 'Hi'], environment.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /m);
    expect(result.stderr).not.toContain('    at ');

    const debug = await runCli(['chat', '--debug', 'Hi'], environment.env);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('    at ');
  });

  it('colours output only when asked: FORCE_COLOR on, NO_COLOR off', async () => {
    emulator.setOptions({ scenario: 'reasoning' });
    const forced = await runCli(['chat', 'Hi'], { ...environment.env, FORCE_COLOR: '1' });
    expect(forced.stderr).toMatch(ESCAPE_CODE);
    const disabled = await runCli(['chat', 'Hi'], { ...environment.env, FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(`${disabled.stdout}${disabled.stderr}`).not.toMatch(ESCAPE_CODE);
  });

  it('uses the OpenAI API with OPENAI_API_KEY when no ChatGPT login exists', async () => {
    const fresh = await createTestEnvironment(emulator);
    try {
      const result = await runCli(['chat', 'Hi'], { ...fresh.env, OPENAI_API_KEY: emulator.createApiKey() });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${TEXT_ANSWER}\n`);
      expect(emulator.requests.some((request) => request.path === '/v1/responses')).toBe(true);
    } finally {
      await fresh.cleanup();
    }
  });
});
