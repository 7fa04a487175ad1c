import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Emulator } from '@codetether/emulator';
import { createFileCredentialStore } from '@codetether/oauth-pkce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorLogin, startTestEmulator } from './__fixtures__/emulator-provider.js';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const runFile = promisify(execFile);

/** The first `ts` code block after the README's `## Use` heading. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(packageDirectory, 'README.md'), 'utf8');
  const use = readme.slice(readme.indexOf('## Use'));
  const match = /```ts\n([\s\S]*?)```/.exec(use);
  if (match?.[1] === undefined) throw new Error('The README has no ts example under "## Use".');
  return match[1];
}

let emulator: Emulator;
let exampleDirectory: string;
let home: string;
beforeAll(async () => {
  emulator = await startTestEmulator();
  // Inside the package, so the example imports the package (dist: build first) and `ai` by name.
  exampleDirectory = await mkdtemp(join(packageDirectory, '.readme-example-'));
  home = await mkdtemp(join(tmpdir(), 'codetether-ai-sdk-home-'));
  await writeFile(join(exampleDirectory, 'example.mjs'), await readmeExample());
});
afterAll(async () => {
  await emulator.close();
  await rm(exampleDirectory, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

describe('the README example, pasted as is', () => {
  it.each([
    ['a ChatGPT login in CODETETHER_HOME', 'chatgpt', 'websocket'],
    ['an API key', 'api-key', 'http'],
  ])('runs against the emulator with %s', { timeout: 30_000 }, async (_label, mode, transport) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      CODETETHER_AUTH_ISSUER: emulator.issuerUrl,
      CODETETHER_CHATGPT_BASE_URL: emulator.chatgptBaseUrl,
      CODETETHER_OPENAI_BASE_URL: emulator.openaiBaseUrl,
      CODETETHER_TRANSPORT: transport,
      CODETETHER_HOME: home,
    };
    const store = createFileCredentialStore({ home });
    if (mode === 'chatgpt') await store.write(emulatorLogin(emulator));
    else {
      await store.delete();
      env.OPENAI_API_KEY = emulator.createApiKey();
    }
    const { stdout } = await runFile(process.execPath, ['example.mjs'], { cwd: exampleDirectory, env });
    expect(stdout).toContain('Write a haiku about WebSockets.');
    expect(stdout).toMatch(/\d+ tokens in, \d+ out/);
  });
});
