import type { Command } from 'commander';

/** An option as completion scripts need it. */
export interface CompletionOption {
  /** `-m`, when it has a short flag. */
  short?: string;
  /** `--model`. */
  long: string;
  /** What it does (one line). */
  description: string;
  /** True when a value follows it. */
  takesValue: boolean;
  /** The accepted values, when there is a fixed list. */
  choices?: readonly string[];
}

/** A command (or the program itself) as completion scripts need it. */
export interface CompletionCommand {
  /** The words that lead to it: `[]` for the program, `['auth', 'login']`… */
  path: readonly string[];
  /** What it does (one line). */
  description: string;
  /** Its subcommands. */
  subcommands: CompletionCommand[];
  /** Its own options (the program's are global). */
  options: CompletionOption[];
  /** Values of its first argument, when it is a fixed list (`completion bash|zsh|fish`). */
  argumentChoices: readonly string[];
}

function describeOption(option: Command['options'][number]): CompletionOption | undefined {
  if (option.hidden || option.long === undefined) return undefined;
  const described: CompletionOption = {
    long: option.long,
    description: option.description,
    takesValue: option.required || option.optional,
  };
  if (option.short !== undefined) described.short = option.short;
  if (option.argChoices !== undefined) described.choices = option.argChoices;
  return described;
}

/**
 * Describes a commander command tree for completion scripts: subcommands, visible options, fixed
 * choices. The scripts are generated from it, so they always match the commands.
 *
 * @param command - the program (or a subcommand)
 * @param path - the words leading to `command`
 */
export function describeCommandTree(command: Command, path: readonly string[] = []): CompletionCommand {
  // Commander keeps the help option apart from the others; it works on every command.
  const helpOption: CompletionOption[] =
    path.length === 0 ? [{ short: '-h', long: '--help', description: 'show help', takesValue: false }] : [];
  return {
    path,
    description: command.description(),
    subcommands: command.commands.map((subcommand) =>
      describeCommandTree(subcommand, [...path, subcommand.name()]),
    ),
    options: [...helpOption, ...command.options.flatMap((option) => describeOption(option) ?? [])],
    argumentChoices: command.registeredArguments[0]?.argChoices ?? [],
  };
}

/**
 * Every command of the tree, the program first, parents before children.
 *
 * @param root - the tree
 */
export function listCommands(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.subcommands.flatMap(listCommands)];
}

/**
 * Every flag (`-m`, `--model`) of the tree that takes a value: the scripts skip the word after it
 * when working out which command is being typed.
 *
 * @param root - the tree
 */
export function flagsTakingValues(root: CompletionCommand): string[] {
  const flags = new Set<string>();
  for (const command of listCommands(root)) {
    for (const option of command.options) {
      if (!option.takesValue) continue;
      if (option.short !== undefined) flags.add(option.short);
      flags.add(option.long);
    }
  }
  return [...flags];
}

/**
 * The flags of an option (`-m`, `--model`).
 *
 * @param option - the option
 */
export function flagsOf(option: CompletionOption): string[] {
  return option.short === undefined ? [option.long] : [option.short, option.long];
}
