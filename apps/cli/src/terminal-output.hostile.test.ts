import { describe, expect, it } from 'vitest';
import { runCli } from './__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from './__fixtures__/emulator-environment.js';

/** OSC 52 (writes the clipboard), a CSI erase, the 8-bit CSI, an OSC 8 link, a window title and a bidi override. */
const HOSTILE =
  '\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2K\u009b1A\u001b]8;;https://evil.example\u001b\\docs\u001b]8;;\u001b\\\u001b]0;pwned\u0007\u202eevil';

/** Anything a terminal acts on: ESC, BEL, the C1 controls (U+009B is the 8-bit CSI), bidi overrides. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const fixture = useEmulatorEnvironment({
  emulator: {
    scenario: 'echo',
    account: { email: `mallory${HOSTILE}@example.com`, planType: `plus${HOSTILE}` },
  },
  loggedIn: true,
});

describe('text from a hostile model or server on the terminal', () => {
  it('shows model ids and names from the live list without their control sequences', async () => {
    fixture.emulator.setOptions({
      models: [
        { slug: 'gpt-5.4' },
        { slug: 'gpt-evil', display_name: `Evil${HOSTILE}` },
        // An id with control characters is no model name: the provider skips the entry.
        { slug: `gpt-skipped${HOSTILE}` },
      ],
    });
    const result = await runCli(['models', '--refresh'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(result.stdout).toContain('gpt-evil');
    expect(result.stdout).toContain('docs');
    expect(result.stdout).not.toContain('gpt-skipped');
  });

  it('keeps models --json exact and escapes C1 controls and U+2028/U+2029', async () => {
    const name = `GPT evil\u009b2J\u2028\u2029${HOSTILE}`;
    fixture.emulator.setOptions({ models: [{ slug: 'gpt-5.4' }, { slug: 'gpt-evil', display_name: name }] });
    const result = await runCli(['models', '--refresh', '--json'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    // The provider keeps at most 200 characters of a display name; what it keeps is printed exactly.
    const names = (JSON.parse(result.stdout) as { name: string }[]).map((model) => model.name);
    expect(names).toContain(name.slice(0, 200));
  });

  it('survives a list of thousands of models with a gigantic name', async () => {
    const models = Array.from({ length: 3000 }, (_, index) => ({ slug: `model-${index}` }));
    fixture.emulator.setOptions({
      models: [{ slug: 'gpt-5.4' }, { slug: 'huge', display_name: 'x'.repeat(200_000) }, ...models],
    });
    const result = await runCli(['models', '--refresh'], fixture.environment.env);
    expect(result.code).toBe(0);
    // The provider keeps the first 1,000 models of a list.
    expect(result.stdout).toContain('model-997');
    expect(result.stdout).not.toContain('model-998');
    // The gigantic name is cut, so it does not pad all 3,000 rows to its width.
    expect(result.stdout).toContain(`${'x'.repeat(59)}…`);
    expect(result.stdout.length).toBeLessThan(1_000_000);
  });

  it('shows account fields from the token claims without their control sequences', async () => {
    const result = await runCli(['auth', 'status'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('mallory');
    expect(result.stdout).not.toMatch(TERMINAL_CONTROL);
    const json = await runCli(['auth', 'status', '--json'], fixture.environment.env);
    expect(json.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect((JSON.parse(json.stdout) as { email: string }).email).toBe(`mallory${HOSTILE}@example.com`);
  });

  it('keeps a piped answer exact and every --json line parseable and free of raw controls', async () => {
    const prompt = `Say${HOSTILE}\u2028\u2029\ud800 tab\there\nnext`;
    const piped = await runCli(['chat', prompt], fixture.environment.env);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(`${prompt.replace('\ud800', '\ufffd')}\n`);
    const json = await runCli(['chat', '--json', prompt], fixture.environment.env);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    const lines = json.stdout.trimEnd().split('\n');
    const text = lines
      .map((line) => JSON.parse(line) as { type: string; text?: string })
      .filter((chunk) => chunk.type === 'text')
      .map((chunk) => chunk.text)
      .join('');
    expect(text).toBe(prompt.replace('\ud800', '\ufffd'));
  });
});
