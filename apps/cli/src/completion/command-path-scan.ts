import { type CompletionCommand, flagsTakingValues, listCommands } from './command-tree.js';

/** Where a POSIX-like shell (bash, zsh) keeps the words typed so far. */
export interface ShellWords {
  /** The array of words (`COMP_WORDS`, `words`). */
  array: string;
  /** The index of the word being completed (`COMP_CWORD`, `CURRENT`). */
  current: string;
  /** The index of the first word after the program name (bash counts from 0, zsh from 1). */
  first: number;
}

/**
 * The shell code (bash and zsh share it: both accept `(pattern)` in `case`) that sets `command_path`
 * to the (sub)command being typed — `auth login` — from the words before the cursor, skipping options
 * and the value after an option that takes one.
 *
 * @param root - the command tree
 * @param words - the shell's word array and cursor
 */
export function renderCommandPathScan(root: CompletionCommand, words: ShellWords): string {
  const transitions = listCommands(root)
    .flatMap((command) =>
      command.subcommands.map(
        (sub) =>
          `      ("${command.path.join(' ')}:${sub.path.at(-1)}") command_path="${sub.path.join(' ')}" ;;`,
      ),
    )
    .join('\n');
  return `  for ((i = ${words.first}; i < ${words.current}; i++)); do
    word="\${${words.array}[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      (${flagsTakingValues(root).join('|')}) skip=1; continue ;;
      (-*) continue ;;
    esac
    case "$command_path:$word" in
${transitions}
    esac
  done`;
}
