import { TEXT_ANSWER } from '@codetether/emulator';
import { describe, expect, it } from 'vitest';
import { CLI_PATH } from './__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from './__fixtures__/emulator-environment.js';
import { startTmuxSession } from './__fixtures__/tmux-session.js';

const fixture = useEmulatorEnvironment({ emulator: { scenario: 'echo' }, loggedIn: true, homeScope: 'file' });

/** The Responses requests (WebSocket frames and HTTP bodies) received so far. */
function responsesRequests() {
  return fixture.emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.body !== undefined,
  );
}

/** The `input` of the latest Responses request, as text, to check what history was sent. */
function lastInput(): string {
  return JSON.stringify((responsesRequests().at(-1)?.body as { input?: unknown } | undefined)?.input ?? null);
}

const count = (text: string, part: string): number => text.split(part).length - 1;

describe('codetether chat (interactive, in a real pseudo-terminal)', () => {
  it('keeps the history, cancels an answer with Ctrl-C and exits with Ctrl-D', async () => {
    const session = await startTmuxSession([process.execPath, CLI_PATH, 'chat'], {
      ...fixture.environment.env,
      TERM: 'xterm-256color',
    });
    try {
      await session.waitFor((screen) => screen.includes('Chatting with gpt-5.4.'), 'the banner');
      await session.waitFor((screen) => /^› $/m.test(screen), 'the first prompt');

      await session.type('first question');
      await session.press('Enter');
      await session.waitFor(
        (screen) => count(screen, 'first question') >= 2 && screen.includes('gpt-5.4 ·'),
        'the first answer',
      );

      await session.type('second question');
      await session.press('Enter');
      await session.waitFor(
        (screen) => count(screen, 'second question') >= 2 && count(screen, 'gpt-5.4 ·') >= 2,
        'the second answer',
      );
      // The session opened with a warm-up; every turn since continued the previous response over the
      // same socket, sending only its new message: the history is kept on the connection.
      const [warmUp, ...turns] = responsesRequests();
      expect(warmUp?.body).toMatchObject({ generate: false, input: [] });
      expect(turns).toHaveLength(2);
      for (const turn of turns) {
        expect(turn.previousResponseId).toEqual(expect.any(String));
        expect(turn.inputItems).toBe(1);
        expect(turn.connectionId).toBe(warmUp?.connectionId);
      }
      expect(lastInput()).toContain('second question');
      expect(lastInput()).not.toContain('first question');

      // A slow answer, cancelled halfway with Ctrl-C.
      fixture.emulator.setOptions({ scenario: 'slow', eventDelayMs: 250 });
      await session.type('third question');
      await session.press('Enter');
      await session.waitFor((screen) => screen.includes('Hello from'), 'the slow answer to start');
      await session.press('C-c');
      const cancelled = await session.waitFor((screen) => screen.includes('(cancelled)'), 'the cancellation');
      expect(cancelled).not.toContain(TEXT_ANSWER);

      // The session goes on, without the cancelled turn in its history: the whole history goes up
      // again (the cancelled response cannot be continued).
      fixture.emulator.setOptions({ scenario: 'echo', eventDelayMs: 0 });
      await session.waitFor(
        (screen) => /^› $/m.test(screen.split('(cancelled)').at(-1) ?? ''),
        'the prompt after cancelling',
      );
      await session.type('fourth question');
      await session.press('Enter');
      await session.waitFor((screen) => count(screen, 'fourth question') >= 2, 'the fourth answer');
      expect(lastInput()).toContain('first question');
      expect(lastInput()).toContain('second question');
      expect(lastInput()).not.toContain('third question');
      expect(responsesRequests().at(-1)?.previousResponseId).toBeUndefined();

      // Ctrl-C with nothing to cancel only explains how to leave; Ctrl-D exits with 0.
      await session.waitFor((screen) => count(screen, 'gpt-5.4 ·') >= 3, 'the fourth usage line');
      await session.press('C-c');
      await session.waitFor(
        (screen) => screen.includes('Press Ctrl-D or type /exit to leave.'),
        'the exit hint',
      );
      await session.press('C-d');
      expect(await session.waitForExit()).toBe(0);
    } finally {
      await session.close();
    }
  });
});
