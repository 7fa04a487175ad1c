import { CHAT_COMMAND } from './chat-command.js';
import { CONFIG_OVERRIDE_OPTION, DEBUG_OPTION, GLOBAL_OPTIONS, PROFILE_OPTION } from './global-options.js';
import { type OptionDefinition, optionAttributeName } from './option-definition.js';

/** A `codetether chat …` command line, recognised without building the command parser. */
export interface ChatInvocation {
  /** The prompt words. */
  prompt: string[];
  /** The chat options by commander's attribute names, defaults included (`model`, `thinking`…). */
  options: Record<string, string | boolean>;
  /** The attribute names of the options given on the command line (the others are defaults). */
  given: ReadonlySet<string>;
  /** `--debug`. */
  debug: boolean;
  /** The `-c key=value` values, in order. */
  configOverrides: string[];
  /** `--profile NAME`, unchecked (the caller checks it as the pre-action hook does). */
  profile?: string;
}

function findDefinition(
  definitions: readonly OptionDefinition[],
  flag: string,
): OptionDefinition | undefined {
  return definitions.find(
    (definition) =>
      flag === `--${definition.long}` || (definition.short !== undefined && flag === `-${definition.short}`),
  );
}

/** The options' defaults, as commander sets them (a `--no-…` switch defaults to `true`). */
function defaultOptions(): Record<string, string | boolean> {
  const options: Record<string, string | boolean> = {};
  for (const definition of CHAT_COMMAND.options) {
    if (definition.defaultValue !== undefined) {
      options[optionAttributeName(definition)] = definition.defaultValue;
    } else if (definition.long.startsWith('no-')) {
      options[optionAttributeName(definition)] = true;
    }
  }
  return options;
}

/**
 * Recognises `codetether [--debug] [--profile NAME] [-c key=value]… chat [options] [prompt words]` from the same option
 * definitions commander's `chat` command is built from, so a one-shot chat starts without loading and
 * building the whole command tree (start-up is most of a one-shot answer's time).
 *
 * Only plain command lines are recognised: every flag exactly as defined (`-m gpt-5.4`,
 * `--model gpt-5.4` or `--model=gpt-5.4`), every value non-empty, not starting with `-` and within its
 * choices, no `--`, no word starting with `-`. Anything else — help, an unknown or malformed option, a
 * value commander would reject — returns `undefined`, and commander parses the command line (and
 * reports the error) as before.
 *
 * @param args - the arguments after the script (`process.argv.slice(2)`)
 */
export function parseChatInvocation(args: readonly string[]): ChatInvocation | undefined {
  const invocation: ChatInvocation = {
    prompt: [],
    options: defaultOptions(),
    given: new Set(),
    debug: false,
    configOverrides: [],
  };
  const given = new Set<string>();
  let inChat = false;
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index] as string;
    if (!word.startsWith('-')) {
      if (inChat) invocation.prompt.push(word);
      else if (word === CHAT_COMMAND.name) inChat = true;
      else return undefined;
      continue;
    }
    const equals = word.startsWith('--') ? word.indexOf('=') : -1;
    const flag = equals === -1 ? word : word.slice(0, equals);
    // Commander takes the program's options before and after the command name.
    const definition =
      findDefinition(GLOBAL_OPTIONS, flag) ??
      (inChat ? findDefinition(CHAT_COMMAND.options, flag) : undefined);
    if (definition === undefined) return undefined;
    let value: string | boolean;
    if (definition.valueName === undefined) {
      if (equals !== -1) return undefined;
      value = !definition.long.startsWith('no-');
    } else {
      if (equals === -1) index += 1;
      const text = equals === -1 ? args[index] : word.slice(equals + 1);
      if (text === undefined || text === '' || text.startsWith('-')) return undefined;
      if (definition.choices !== undefined && !definition.choices.includes(text)) return undefined;
      value = text;
    }
    if (definition === CONFIG_OVERRIDE_OPTION) invocation.configOverrides.push(String(value));
    else if (definition === DEBUG_OPTION) invocation.debug = true;
    else if (definition === PROFILE_OPTION) invocation.profile = String(value);
    else {
      const name = optionAttributeName(definition);
      invocation.options[name] = value;
      given.add(name);
    }
  }
  return inChat ? { ...invocation, given } : undefined;
}
