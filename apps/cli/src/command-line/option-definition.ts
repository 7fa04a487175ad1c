/**
 * One command-line option, defined once. `program.ts` builds commander's option from it (so the help
 * text, defaults, choices and their error messages are commander's), and the start-up fast path of a
 * one-shot `codetether chat` recognises the option from the same definition (see `chat-invocation.ts`).
 */
export interface OptionDefinition {
  /** The long flag without its dashes: `model`, `no-thinking` (a `no-` flag turns a setting off). */
  long: string;
  /** The one-letter short flag without its dash, when there is one: `m`. */
  short?: string;
  /** The name of the value in the help (`model` for `<model>`); a switch when absent. */
  valueName?: string;
  /** What it does (one line of help). */
  description: string;
  /** The value when the option is not given. */
  defaultValue?: string;
  /** The only values accepted. */
  choices?: readonly string[];
  /** Can be given more than once; every value is kept, in order. */
  repeatable?: boolean;
}

/**
 * The flags as commander takes them: `-m, --model <model>`.
 *
 * @param definition - the option
 */
export function optionFlags(definition: OptionDefinition): string {
  const short = definition.short === undefined ? '' : `-${definition.short}, `;
  const value = definition.valueName === undefined ? '' : ` <${definition.valueName}>`;
  return `${short}--${definition.long}${value}`;
}

/**
 * The key of the option's value, as commander names it: `model`, `thinking` for `--no-thinking`,
 * `withApiKey` for `--with-api-key`.
 *
 * @param definition - the option
 */
export function optionAttributeName(definition: OptionDefinition): string {
  return definition.long
    .replace(/^no-/, '')
    .replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}
