import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { renderBashCompletion } from '../completion/bash-completion.js';
import { describeCommandTree } from '../completion/command-tree.js';
import { renderFishCompletion } from '../completion/fish-completion.js';
import { renderZshCompletion } from '../completion/zsh-completion.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

/** The shells `codetether completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const RENDERERS = {
  bash: renderBashCompletion,
  zsh: renderZshCompletion,
  fish: renderFishCompletion,
} as const;

/**
 * `codetether completion <shell>`: prints the completion script of the shell on standard output,
 * generated from the command tree (so it always matches this version's commands and options).
 *
 * @param context - streams
 * @param shell - bash, zsh or fish (commander has checked it)
 * @param program - the root command
 */
export async function runCompletion(
  context: CommandContext,
  shell: CompletionShell,
  program: Command,
): Promise<ExitCode> {
  const tree = describeCommandTree(program);
  context.terminal.stdout.write(RENDERERS[shell](tree, program.name()));
  return EXIT_CODES.success;
}
