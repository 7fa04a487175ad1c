import { type AddressInfo, createServer } from 'node:net';
import { REASONING_SUMMARY, TEXT_ANSWER } from '@codetether/emulator';
import { describe, expect, it } from 'vitest';
import { createTestEnvironment, ESCAPE_CODE, runCli, startCli } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';

const fixture = useEmulatorEnvironment({ emulator: { scenario: 'text' }, loggedIn: true });

/** A local port nothing listens on (bound, then released). */
async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function responseBodies(): Record<string, unknown>[] {
  return fixture.emulator.requests
    .filter((request) => request.path.endsWith('/responses') && request.body !== undefined)
    .map((request) => request.body as Record<string, unknown>);
}

const USAGE_LINE =
  /^gpt-5\.4 · [\d,]+ in \([\d,]+ cached\) · [\d,]+ out( \([\d,]+ reasoning\))? · \d+\.\d s$/m;

describe('codetether chat', () => {
  it('streams the answer to stdout and one usage line to stderr, over the WebSocket', async () => {
    const result = await runCli(['chat', 'Hello', 'there'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${TEXT_ANSWER}\n`);
    expect(result.stderr).toMatch(USAGE_LINE);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(ESCAPE_CODE);
    const requests = fixture.emulator.requests.filter((request) => request.path.endsWith('/responses'));
    expect(requests.map((request) => request.transport)).toEqual(['websocket']);
  });

  it('reads the prompt from piped stdin', async () => {
    fixture.emulator.setOptions({ scenario: 'echo' });
    const result = await runCli(['chat'], fixture.environment.env, 'Repeat after me: piped prompt\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Repeat after me: piped prompt\n');
  });

  it('stops a streaming answer on Ctrl-C with exit 130', async () => {
    fixture.emulator.setOptions({ scenario: 'slow', eventDelayMs: 200 });
    try {
      const chat = startCli(['chat', 'Hi'], fixture.environment.env);
      await chat.waitFor(/Hello from/);
      chat.child.kill('SIGINT');
      const result = await chat.exited;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Cancelled.');
      expect(result.stdout).not.toContain(TEXT_ANSWER);
    } finally {
      fixture.emulator.setOptions({ eventDelayMs: 0 });
    }
  });

  it('exits 2 when there is no prompt at all', async () => {
    const result = await runCli(['chat'], fixture.environment.env, '');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No prompt was given');
    expect(result.stdout).toBe('');
  });

  it('prints one StreamChunk JSON per line and nothing else with --json (and gpt-5.5-fast → priority)', async () => {
    fixture.emulator.setOptions({ scenario: 'reasoning' });
    const result = await runCli(['chat', '--json', '--model', 'gpt-5.5-fast', 'Hi'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(responseBodies()[0]).toMatchObject({ model: 'gpt-5.5', service_tier: 'priority' });
    const lines = result.stdout.trimEnd().split('\n');
    const chunks = lines.map((line) => JSON.parse(line) as { type: string; text?: string });
    expect(chunks.some((chunk) => chunk.type === 'thinking')).toBe(true);
    expect(
      chunks
        .filter((chunk) => chunk.type === 'text')
        .map((chunk) => chunk.text)
        .join(''),
    ).toBe(TEXT_ANSWER);
    // The done chunk names the response and carries its output items, reasoning with its
    // encrypted_content, for a caller that sends the history back itself.
    expect(chunks.at(-1)).toMatchObject({
      type: 'done',
      finishReason: 'stop',
      responseId: expect.stringMatching(/^resp_/),
      outputItems: [
        { type: 'reasoning', encrypted_content: expect.any(String) },
        { type: 'message', role: 'assistant' },
      ],
    });
    expect(result.stderr).toMatch(/^gpt-5\.5-fast · [\d,]+ in /m);
  });

  it('shows the reasoning on stderr (coloured only when asked), or hides it with --no-thinking', async () => {
    fixture.emulator.setOptions({ scenario: 'reasoning' });
    const shown = await runCli(['chat', 'Hi'], { ...fixture.environment.env, FORCE_COLOR: '1' });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(ESCAPE_CODE);
    // Shown without the Markdown bold markers of its heading.
    expect(shown.stderr.replace(/\u001b\[[\d;]*m/g, '')).toContain(REASONING_SUMMARY.replaceAll('**', ''));
    expect(shown.stdout).toBe(`${TEXT_ANSWER}\n`);

    // NO_COLOR wins over FORCE_COLOR.
    const hidden = await runCli(['chat', '--no-thinking', 'Hi'], {
      ...fixture.environment.env,
      FORCE_COLOR: '1',
      NO_COLOR: '1',
    });
    expect(hidden.code).toBe(0);
    expect(hidden.stderr).not.toContain('Planning the answer');
    expect(`${hidden.stdout}${hidden.stderr}`).not.toMatch(ESCAPE_CODE);
  });

  it('sends the model alias effort, the system text and the chosen transport', async () => {
    const result = await runCli(
      ['chat', '--model', 'gpt-5.4:high', '--system', 'Answer like a pirate.', '--transport', 'http', 'Hi'],
      fixture.environment.env,
    );
    expect(result.code).toBe(0);
    const [body] = responseBodies();
    expect(body).toMatchObject({ model: 'gpt-5.4', instructions: 'Answer like a pirate.' });
    expect((body?.reasoning as { effort?: string } | undefined)?.effort).toBe('high');
    const requests = fixture.emulator.requests.filter((request) => request.path.endsWith('/responses'));
    expect(requests.map((request) => request.transport)).toEqual(['http']);
  });

  it('exits 2 for a model the ChatGPT backend does not serve', async () => {
    const result = await runCli(['chat', '--model', 'gpt-3-turbo', 'Hi'], fixture.environment.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Model 'gpt-3-turbo' is not supported");
    expect(result.stderr).toMatch(/Supported models: .*gpt-5\.5, gpt-5\.4,/);
    expect(result.stdout).toBe('');
    expect(responseBodies()).toHaveLength(0);
  });

  it('exits 3 with the login command when not logged in', async () => {
    const fresh = await createTestEnvironment(fixture.emulator);
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
    fixture.emulator.setOptions({ scenario: 'failed' });
    const result = await runCli(['chat', 'Hi'], fixture.environment.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /m);
    expect(result.stderr).not.toContain('    at ');

    const debug = await runCli(['chat', '--debug', 'Hi'], fixture.environment.env);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('    at ');
  });

  it('prints the usage-limit error chunk on stdout with --json when the request is refused before the stream', async () => {
    fixture.emulator.setOptions({ scenario: 'rate-limited' });
    try {
      const result = await runCli(['chat', '--json', 'Hi'], fixture.environment.env);
      expect(result.code).toBe(1);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({
        type: 'error',
        code: 'usage-limit-reached',
        message: expect.stringContaining('usage limit'),
      });
      expect(result.stderr).toMatch(/^error: .*usage limit/im);
    } finally {
      fixture.emulator.setOptions({ scenario: 'text' });
    }
  });

  it('answers over HTTP too, and reports a usage limit and a failed response there as over the WebSocket', async () => {
    const http = ['chat', '--transport', 'http'];
    const answered = await runCli([...http, 'Hi'], fixture.environment.env);
    expect(answered.code).toBe(0);
    expect(answered.stdout).toBe(`${TEXT_ANSWER}\n`);
    expect(answered.stderr).toMatch(USAGE_LINE);
    try {
      fixture.emulator.setOptions({ scenario: 'rate-limited' });
      const limited = await runCli([...http, '--json', 'Hi'], fixture.environment.env);
      expect(limited.code).toBe(1);
      expect(JSON.parse(limited.stdout)).toMatchObject({ type: 'error', code: 'usage-limit-reached' });
      fixture.emulator.setOptions({ scenario: 'failed' });
      const failed = await runCli([...http, 'Hi'], fixture.environment.env);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^error: /m);
    } finally {
      fixture.emulator.setOptions({ scenario: 'text' });
    }
    expect(fixture.emulator.requests.filter((request) => request.transport === 'websocket')).toEqual([]);
  });

  it('says in one sentence that the backend is down (exit 1), and prints the error chunk on stdout with --json', async () => {
    const port = await findClosedPort();
    // The WebSocket only: the HTTP transport's retries with backoff would add seconds to the suite.
    const result = await runCli(['chat', '--json', '--transport', 'websocket', 'Hi'], {
      ...fixture.environment.env,
      CODETETHER_CHATGPT_BASE_URL: `http://127.0.0.1:${port}/backend-api/codex`,
    });
    expect(result.code).toBe(1);
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      {
        type: 'error',
        message: expect.stringMatching(
          new RegExp(`^Could not reach the ChatGPT backend.*127\\.0\\.0\\.1:${port}`),
        ),
        code: 'network-error',
      },
    ]);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `error: Could not reach the ChatGPT backend at 127.0.0.1:${port} (connection refused: nothing is listening there).`,
      '→ Check your network connection and CODETETHER_CHATGPT_BASE_URL, then try again.',
    ]);
  });

  it('uses the OpenAI API with OPENAI_API_KEY when no ChatGPT login exists', async () => {
    const fresh = await createTestEnvironment(fixture.emulator);
    try {
      const result = await runCli(['chat', 'Hi'], {
        ...fresh.env,
        OPENAI_API_KEY: fixture.emulator.createApiKey(),
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${TEXT_ANSWER}\n`);
      expect(fixture.emulator.requests.some((request) => request.path === '/v1/responses')).toBe(true);
    } finally {
      await fresh.cleanup();
    }
  });
});
