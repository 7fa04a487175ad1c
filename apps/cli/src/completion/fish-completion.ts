import { type CompletionCommand, flagsTakingValues, listCommands } from './command-tree.js';
import { singleQuote } from './shell-quoting.js';

/**
 * Renders the fish completion script (`complete -c codetether …`). A helper function works out which
 * (sub)command is being typed; every completion is conditioned on it.
 *
 * @param root - the command tree
 * @param program - the program name
 */
export function renderFishCompletion(root: CompletionCommand, program: string): string {
  const prefix = `__${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const commands = listCommands(root);
  const transitions = commands
    .flatMap((command) =>
      command.subcommands.map(
        (sub) =>
          `            case ${singleQuote(`${command.path.join(' ')}:${sub.path.at(-1)}`, 'fish')}\n                set command_path ${singleQuote(sub.path.join(' '), 'fish')}`,
      ),
    )
    .join('\n');
  const lines: string[] = [];
  for (const command of commands) {
    const at = `'${prefix}_at ${singleQuote(command.path.join(' '), 'fish').replaceAll("'", '"')}'`;
    for (const sub of command.subcommands) {
      lines.push(
        `complete -c ${program} -n ${at} -a ${sub.path.at(-1)} -d ${singleQuote(sub.description, 'fish')}`,
      );
    }
    for (const choice of command.argumentChoices) {
      lines.push(
        `complete -c ${program} -n ${at} -a ${choice} -d ${singleQuote(`${choice} completion script`, 'fish')}`,
      );
    }
    for (const option of command.options) {
      const condition = command.path.length === 0 ? '' : ` -n ${at}`;
      const short = option.short === undefined ? '' : ` -s ${option.short.slice(1)}`;
      const value =
        option.choices !== undefined
          ? ` -x -a ${singleQuote(option.choices.join(' '), 'fish')}`
          : option.takesValue
            ? ' -r'
            : '';
      lines.push(
        `complete -c ${program}${condition}${short} -l ${option.long.slice(2)}${value} -d ${singleQuote(option.description, 'fish')}`,
      );
    }
  }
  return `# fish completion for ${program}. Install: see \`${program} completion --help\`.
function ${prefix}_command_path
    set -l command_path ''
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case ${flagsTakingValues(root).join(' ')}
                set skip 1
                continue
            case '-*'
                continue
        end
        switch "$command_path:$word"
${transitions}
        end
    end
    echo $command_path
end

function ${prefix}_at
    set -l command_path (${prefix}_command_path)
    test "$command_path" = "$argv[1]"
end

complete -c ${program} -f
${lines.join('\n')}
`;
}
