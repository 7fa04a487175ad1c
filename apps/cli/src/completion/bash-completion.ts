import { renderCommandPathScan } from './command-path-scan.js';
import { type CompletionCommand, flagsOf, flagsTakingValues, listCommands } from './command-tree.js';

/** The shell-quoted word list of a `case` pattern or a `compgen -W` list. */
const words = (list: readonly string[]): string => list.join(' ');

/**
 * Renders the bash completion script (`complete -F _codetether codetether`). It works out which
 * (sub)command is being typed from the words so far, skipping options and their values, then offers
 * that command's subcommands, fixed argument values, options, or an option's fixed values.
 *
 * @param root - the command tree
 * @param program - the program name
 */
export function renderBashCompletion(root: CompletionCommand, program: string): string {
  const commands = listCommands(root);
  const globalFlags = root.options.flatMap(flagsOf);
  const optionValues = commands
    .flatMap((command) => command.options)
    .filter((option) => option.choices !== undefined)
    .map(
      (option) =>
        `    ${flagsOf(option).join('|')}) COMPREPLY=($(compgen -W "${words(option.choices ?? [])}" -- "$cur")); return ;;`,
    )
    .join('\n');
  const perCommand = commands
    .map((command) => {
      const next = [...command.subcommands.map((sub) => sub.path.at(-1) ?? ''), ...command.argumentChoices];
      const flags =
        command.path.length === 0 ? globalFlags : [...command.options.flatMap(flagsOf), ...globalFlags];
      return `    "${command.path.join(' ')}") next_words="${words(next)}"; flags="${words(flags)}" ;;`;
    })
    .join('\n');
  const valueFlags = flagsTakingValues(root);
  const function_ = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  return `# bash completion for ${program}. Install: see \`${program} completion --help\`.
${function_}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local command_path="" word i skip=0 next_words="" flags=""
${renderCommandPathScan(root, { array: 'COMP_WORDS', current: 'COMP_CWORD', first: 1 })}
  case "$prev" in
${optionValues}
    ${valueFlags.join('|')}) COMPREPLY=(); return ;;
  esac
  case "$command_path" in
${perCommand}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$next_words" -- "$cur"))
  fi
}
complete -F ${function_} ${program}
`;
}
