import type { OptionDefinition } from './option-definition.js';

/** Default model of `chat` and `usage`. */
export const DEFAULT_MODEL = 'gpt-5.4';

/** The transports `--transport` accepts. */
export const TRANSPORT_CHOICES = ['auto', 'websocket', 'http'] as const;

/** The definition of `codetether chat`: commander's command and the start-up fast path both read it. */
export const CHAT_COMMAND = {
  name: 'chat',
  description: 'ask a model; streams the answer (interactive session when no prompt is given on a terminal)',
  /** The variadic prompt argument. */
  argument: { name: 'prompt', description: 'the prompt (default: standard input when piped)' },
  options: [
    {
      long: 'model',
      short: 'm',
      valueName: 'model',
      description: 'model or alias: gpt-5.4, gpt-5.4:high, gpt-5.5-fast ($CODETETHER_MODEL, config "model")',
      defaultValue: DEFAULT_MODEL,
    },
    { long: 'system', short: 's', valueName: 'text', description: 'system instructions' },
    {
      long: 'transport',
      short: 't',
      valueName: 'transport',
      description: 'wire to use (default $CODETETHER_TRANSPORT, config "transport", or auto)',
      choices: TRANSPORT_CHOICES,
    },
    { long: 'json', description: 'print one StreamChunk JSON object per line (nothing else on stdout)' },
    { long: 'no-thinking', description: 'hide the reasoning summary' },
  ] satisfies OptionDefinition[] as readonly OptionDefinition[],
} as const;
