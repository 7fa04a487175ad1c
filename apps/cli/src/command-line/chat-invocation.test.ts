import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../program.js';
import { parseChatInvocation } from './chat-invocation.js';

/** What commander makes of a command line: the chat action's prompt, options and the globals. */
async function parsedByCommander(args: string[]): Promise<unknown> {
  let parsed: unknown;
  const program = createProgram(
    '0.0.0',
    {},
    () => ({}) as never,
    () => {},
  );
  program.exitOverride();
  const chat = program.commands.find((command) => command.name() === 'chat') as Command;
  // Replace the action and the config hook: only the parsing is compared.
  chat.action((prompt: string[], options: Record<string, unknown>, command: Command) => {
    const globals = command.optsWithGlobals<{ debug?: boolean; config?: string[]; profile?: string }>();
    parsed = {
      prompt,
      options,
      debug: globals.debug === true,
      configOverrides: globals.config ?? [],
      ...(globals.profile === undefined ? {} : { profile: globals.profile }),
    };
  });
  (program as unknown as { _lifeCycleHooks: Record<string, unknown[]> })._lifeCycleHooks.preAction = [];
  await program.parseAsync(args, { from: 'user' });
  return parsed;
}

describe('parseChatInvocation', () => {
  it.each([
    [['chat', 'Say', 'hello']],
    [['chat', '-m', 'gpt-5.5', 'hello']],
    [['chat', '--model=gpt-5.4:high', '--system', 'be brief', 'hello']],
    [['chat', 'hello', '-t', 'http', '--json', '--no-thinking']],
    [['--debug', '-c', 'transport=http', 'chat', '-c', 'model=gpt-5.5', 'hi']],
    [['chat', '--debug', '--transport=websocket']],
    [['chat']],
    [['chat', 'chat']],
    [['--profile', 'work', 'chat', 'hi']],
    [['chat', '--profile=personal', '-m', 'gpt-5.5', 'hi']],
  ])('reads %j as commander does', async (args) => {
    const invocation = parseChatInvocation(args);
    expect(invocation).toBeDefined();
    const { given: _given, ...parsed } = invocation ?? {};
    expect(parsed).toEqual(await parsedByCommander(args));
  });

  it('marks the options given on the command line', () => {
    expect([...(parseChatInvocation(['chat', '-m', 'gpt-5.5', 'hi'])?.given ?? [])]).toEqual(['model']);
    expect([...(parseChatInvocation(['chat', 'hi'])?.given ?? [])]).toEqual([]);
  });

  it.each([
    [[]],
    [['models']],
    [['help', 'chat']],
    [['chat', '--help']],
    [['chat', '-h']],
    [['chat', '--bogus']],
    [['chat', '-mgpt-5.5']],
    [['chat', '--transport', 'carrier-pigeon']],
    [['chat', '--model']],
    [['chat', '--model', '']],
    [['chat', '--system', '-be brief']],
    [['chat', '--json=yes']],
    [['chat', '--', '-hello']],
    [['chat', '-']],
    [['-m', 'gpt-5.5', 'chat']],
    [['--version', 'chat']],
  ])('leaves %j to commander', (args) => {
    expect(parseChatInvocation(args)).toBeUndefined();
  });
});
