import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocket, outputText, postResponses, userInput } from './__fixtures__/emulator-client.js';
import { CODEX_CLIENT_ID } from './oauth/auth-state.js';
import { TEXT_ANSWER } from './responses/scenario-plan.js';

// The real `codetether-emulator` binary, as package.json's `bin` maps it (built by `pnpm build`,
// which turbo runs before the tests).
const packageRoot = new URL('../', import.meta.url);
const packageJson = JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as {
  bin: Record<string, string>;
};
const binPath = fileURLToPath(new URL(packageJson.bin['codetether-emulator'] ?? '', packageRoot));

interface RunningCommand {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[]): RunningCommand {
  const child = spawn(process.execPath, [binPath, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: 'pipe',
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString('utf8');
  });
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves once stdout holds `text`; rejects if the process exits first. */
function waitForOutput(command: RunningCommand, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (command.stdout().includes(text)) {
        command.child.stdout.off('data', check);
        resolve(command.stdout());
      }
    };
    command.child.stdout.on('data', check);
    check();
    void command.exited.then(({ code }) => {
      reject(new Error(`exited with ${code} before printing ${text}: ${command.stderr()}`));
    });
  });
}

function exportedVariables(output: string): Record<string, string> {
  return Object.fromEntries(
    [...output.matchAll(/^export (CODETETHER_[A-Z_]+)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
  );
}

async function postJson(url: string, body: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the codetether-emulator binary', () => {
  it('is built where package.json points', () => {
    expect(existsSync(binPath), `${binPath} is missing: run pnpm build first`).toBe(true);
  });

  it('starts on --port 0, prints the URL and CODETETHER_* lines, serves a login and a stream, exits 0 on SIGTERM', async () => {
    const command = run(['--port', '0', '--scenario', 'text']);
    const output = await waitForOutput(command, 'export CODETETHER_OPENAI_BASE_URL=');
    const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(exportedVariables(output)).toEqual({
      CODETETHER_AUTH_ISSUER: url,
      CODETETHER_CHATGPT_BASE_URL: `${url}/backend-api/codex`,
      CODETETHER_OPENAI_BASE_URL: `${url}/v1`,
    });

    // A device-code login, as the CLI would do it against the printed issuer.
    const start = await postJson(`${url}/api/accounts/deviceauth/usercode`, { client_id: CODEX_CLIENT_ID });
    const poll = () =>
      postJson(`${url}/api/accounts/deviceauth/token`, {
        device_auth_id: start.body.device_auth_id,
        user_code: start.body.user_code,
      });
    expect((await poll()).status).toBe(403);
    const approved = await poll();
    expect(approved.status).toBe(200);
    const exchanged = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: CODEX_CLIENT_ID,
        code: String(approved.body.authorization_code),
        code_verifier: String(approved.body.code_verifier),
        redirect_uri: `${url}/deviceauth/callback`,
      }),
    });
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as { access_token: string };
    const claims = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as {
      'https://api.openai.com/auth': { chatgpt_account_id: string };
    };
    const headers = {
      authorization: `Bearer ${tokens.access_token}`,
      'chatgpt-account-id': claims['https://api.openai.com/auth'].chatgpt_account_id,
      'content-type': 'application/json',
    };

    const http = await postResponses(`${url}/backend-api/codex/responses`, headers, {
      model: 'gpt-5.4',
      input: userInput('hi'),
      stream: true,
    });
    expect(http.status).toBe(200);
    expect(outputText(http.events)).toBe(TEXT_ANSWER);
    const socket = await openSocket(`${url}/backend-api/codex/responses`, headers);
    socket.create({ model: 'gpt-5.4', input: userInput('hi') });
    expect(outputText(await socket.nextResponse())).toBe(TEXT_ANSWER);

    expect(command.child.kill('SIGTERM')).toBe(true);
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(command.stderr()).toContain('Received SIGTERM');
    expect(await socket.closed).toBeGreaterThan(1000);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('exits 2 with a readable message when the port is taken or an option is wrong', async () => {
    const first = run(['--port', '0']);
    const output = await waitForOutput(first, 'Press Ctrl-C');
    const port = /127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? '';
    const second = run(['--port', port]);
    expect((await second.exited).code).toBe(2);
    expect(second.stderr()).toContain('--port');
    expect(second.stderr()).not.toContain('    at ');
    const wrong = run(['--scenario', 'nope']);
    expect((await wrong.exited).code).toBe(2);
    expect(wrong.stderr()).toContain('Unknown scenario "nope"');
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
  });
});
