import { renderCommandPathScan } from './command-path-scan.js';
import { type CompletionCommand, flagsOf, flagsTakingValues, listCommands } from './command-tree.js';
import { singleQuote } from './shell-quoting.js';

/** One `_describe` entry: `name:description` (a colon in the name is escaped). */
const entry = (name: string, description: string): string =>
  singleQuote(`${name.replaceAll(':', '\\:')}:${description}`);

/**
 * Renders the zsh completion script: works when sourced (`source <(codetether completion zsh)`) and
 * as an autoloaded `_codetether` file in `$fpath`. Same logic as the bash script, with descriptions.
 *
 * @param root - the command tree
 * @param program - the program name
 */
export function renderZshCompletion(root: CompletionCommand, program: string): string {
  const commands = listCommands(root);
  const globalOptions = root.options;
  const optionValues = commands
    .flatMap((command) => command.options)
    .filter((option) => option.choices !== undefined)
    .map(
      (option) =>
        `    (${flagsOf(option).join('|')}) compadd -- ${(option.choices ?? []).join(' ')}; return ;;`,
    )
    .join('\n');
  const perCommand = commands
    .map((command) => {
      const next = [
        ...command.subcommands.map((sub) => entry(sub.path.at(-1) ?? '', sub.description)),
        ...command.argumentChoices.map((choice) => entry(choice, `${choice} completion script`)),
      ];
      const options = command.path.length === 0 ? globalOptions : [...command.options, ...globalOptions];
      const flags = options.flatMap((option) =>
        flagsOf(option).map((flag) => entry(flag, option.description)),
      );
      return `    ("${command.path.join(' ')}") next_words=(${next.join(' ')}); flags=(${flags.join(' ')}) ;;`;
    })
    .join('\n');
  const valueFlags = flagsTakingValues(root).join('|');
  const function_ = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  return `#compdef ${program}
# zsh completion for ${program}. Install: see \`${program} completion --help\`.
${function_}() {
  local command_path="" word i skip=0
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}"
  local -a next_words flags
${renderCommandPathScan(root, { array: 'words', current: 'CURRENT', first: 2 })}
  case "$prev" in
${optionValues}
    (${valueFlags}) return ;;
  esac
  case "$command_path" in
${perCommand}
  esac
  if [[ "$cur" == -* ]]; then
    _describe -t options 'option' flags
  else
    _describe -t commands 'command' next_words
  fi
}
if [[ "\${funcstack[1]}" == "${function_}" ]]; then
  ${function_} "$@"
else
  compdef ${function_} ${program}
fi
`;
}
