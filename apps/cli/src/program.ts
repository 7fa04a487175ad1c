import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from './command-context.js';
import { CHAT_COMMAND, DEFAULT_MODEL } from './command-line/chat-command.js';
import { CONFIG_OVERRIDE_OPTION, DEBUG_OPTION, PROFILE_OPTION } from './command-line/global-options.js';
import { type OptionDefinition, optionFlags } from './command-line/option-definition.js';
import type { ExitCode } from './exit-codes.js';

export { DEFAULT_MODEL } from './command-line/chat-command.js';

/** Sets the exit code of the run; commands call it with their result. */
export type ExitCodeSink = (code: ExitCode) => void;

/** Builds the context of a command from `--debug` and the environment after the config file and `-c`. */
export type ContextFactory = (debug: boolean, env: Record<string, string | undefined>) => CommandContext;

function collectOverride(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Commander's option for a shared definition (the one-shot chat fast path reads the same one). */
function commanderOption(definition: OptionDefinition): Option {
  const option = new Option(optionFlags(definition), definition.description);
  if (definition.defaultValue !== undefined) option.default(definition.defaultValue);
  if (definition.choices !== undefined) option.choices(definition.choices);
  if (definition.repeatable === true) option.argParser(collectOverride);
  return option;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('The port must be a whole number from 0 to 65535.');
  }
  return port;
}

const HELP_FOOTER = `
Examples:
  $ codetether auth login                 sign in with ChatGPT in your browser
  $ codetether auth login --device-code   sign in on a machine without a browser
  $ codetether auth login --profile work  a second login beside the first (profiles)
  $ codetether auth status                every profile with its plan and usage
  $ printenv OPENAI_API_KEY | codetether auth login --with-api-key
  $ codetether chat "Explain PKCE in one paragraph"
  $ git diff | codetether chat --system "Review this diff"
  $ codetether chat                       interactive session (Ctrl-C cancels an answer, Ctrl-D exits)
  $ codetether usage                      your 5-hour and weekly usage windows
  $ codetether demo                       see everything work against a local emulator
  $ codetether doctor                     check the set-up (login, permissions, network, clock)
  $ codetether completion bash            print a shell completion script (bash, zsh, fish)

Exit codes: 0 done, 1 model/server error, 2 usage error, 3 not logged in.
Config file: $CODETETHER_HOME/config.json (default ~/.codetether/config.json), one JSON object with
  model, transport, reasoningEffort, chatgptBaseUrl, openaiBaseUrl, authIssuer. Precedence:
  flag (-m, -t, then -c key=value) > environment variable > config file > default.
Environment: CODETETHER_HOME, CODETETHER_PROFILE, CODETETHER_STORE, OPENAI_API_KEY, CODETETHER_MODEL,
  CODETETHER_TRANSPORT, CODETETHER_OPENAI_CODEX_REASONING_EFFORT, CODETETHER_AUTH_ISSUER,
  CODETETHER_CHATGPT_BASE_URL, CODETETHER_OPENAI_BASE_URL, NO_COLOR.
`;

/**
 * Builds the `codetether` command tree. Every action loads its command module lazily, so parsing
 * `--help` or `--version` never loads the provider, OAuth or emulator packages.
 *
 * Before an action runs, the config file and the `-c` overrides are applied to `env` (see
 * `loadCommandEnvironment`), and a `--model` left at its default takes `CODETETHER_MODEL`.
 *
 * @param version - the version `--version` prints
 * @param env - the process environment
 * @param createContext - builds the command context (called once an action runs)
 * @param setExitCode - receives each command's exit code
 */
// Longer than 150 lines because it is the command tree: one short declaration per command and option
// (commander's builder); every action only loads its command module, where the work is.
export function createProgram(
  version: string,
  env: Record<string, string | undefined>,
  createContext: ContextFactory,
  setExitCode: ExitCodeSink,
): Command {
  const program = new Command('codetether');
  program
    .description(
      'Use your ChatGPT subscription (or an OpenAI API key) with the Codex models from the terminal.',
    )
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(commanderOption(DEBUG_OPTION))
    .addOption(commanderOption(PROFILE_OPTION))
    .addOption(commanderOption(CONFIG_OVERRIDE_OPTION))
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .addHelpText('after', HELP_FOOTER);

  let commandEnvironment = env;
  program.hook('preAction', async (_program, actionCommand) => {
    const { configuredModel, loadCommandEnvironment } = await import(
      './configuration/command-environment.js'
    );
    const globals = program.opts<{ config?: string[]; profile?: string }>();
    commandEnvironment = await loadCommandEnvironment(env, globals.config ?? [], {
      tolerateConfigFileErrors: actionCommand.name() === 'doctor',
      profile: globals.profile,
    });
    const model = configuredModel(commandEnvironment);
    const hasModelOption = actionCommand.options.some((option) => option.attributeName() === 'model');
    if (hasModelOption && model && actionCommand.getOptionValueSource('model') === 'default') {
      actionCommand.setOptionValueWithSource('model', model, 'env');
    }
  });
  const contextOf = (command: Command): CommandContext =>
    createContext(command.optsWithGlobals<{ debug?: boolean }>().debug === true, commandEnvironment);

  const auth = program.command('auth').description('log in, show who is logged in, log out');

  auth
    .command('login')
    .description('sign in with your ChatGPT account (browser by default)')
    .addOption(
      new Option(
        '--device-code',
        'show a code to enter in any browser (headless machines; alias --device-auth)',
      ).conflicts(['browser', 'withApiKey']),
    )
    .addOption(new Option('--device-auth').hideHelp().conflicts(['browser', 'withApiKey', 'deviceCode']))
    .addOption(
      new Option(
        '--with-api-key',
        'store an OpenAI API key read from standard input (e.g. printenv OPENAI_API_KEY | …)',
      ).conflicts(['browser', 'open', 'port']),
    )
    .option('--no-browser', 'paste the final redirect URL instead of running a local callback server')
    .option('--no-open', 'print the login URL but do not launch a browser')
    .option('--port <port>', 'local callback port (the real issuer only accepts 1455)', parsePort)
    .action(async (options, command: Command) => {
      const { runLogin } = await import('./commands/auth-login.js');
      setExitCode(await runLogin(contextOf(command), options));
    });

  auth
    .command('status')
    .description(
      'show the login (e-mail, plan, account, token expiry, credentials); without --profile, every profile',
    )
    .option('--json', 'print JSON')
    .action(async (options, command: Command) => {
      const { runStatus } = await import('./commands/auth-status.js');
      setExitCode(await runStatus(contextOf(command), options));
    });

  auth
    .command('logout')
    .description('remove the stored ChatGPT login (revoking it at the issuer) and any stored API key')
    .action(async (_options, command: Command) => {
      const { runLogout } = await import('./commands/auth-logout.js');
      setExitCode(await runLogout(contextOf(command)));
    });

  auth
    .command('import-codex')
    .description("copy the official Codex CLI's login (refreshing it later logs the Codex CLI out)")
    .option('--codex-home <folder>', 'the Codex CLI folder (default $CODEX_HOME or ~/.codex)')
    .action(async (options, command: Command) => {
      const { runImportCodex } = await import('./commands/auth-import-codex.js');
      setExitCode(await runImportCodex(contextOf(command), options));
    });

  program
    .command('models')
    .description('list the models of the active backend')
    .option('--json', 'print JSON')
    .option('--refresh', 'ask the backend for its model list now instead of using the cached one')
    .action(async (options, command: Command) => {
      const { runModels } = await import('./commands/models.js');
      setExitCode(await runModels(contextOf(command), options));
    });

  // Defined in command-line/chat-command.ts: a plain one-shot `chat` skips this parser (see main.ts).
  const chat = program
    .command(CHAT_COMMAND.name)
    .description(CHAT_COMMAND.description)
    .argument(`[${CHAT_COMMAND.argument.name}...]`, CHAT_COMMAND.argument.description);
  for (const definition of CHAT_COMMAND.options) chat.addOption(commanderOption(definition));
  chat.action(async (prompt: string[], options, command: Command) => {
    const { runChat } = await import('./commands/chat.js');
    setExitCode(await runChat(contextOf(command), prompt, options));
  });

  program
    .command('usage')
    .description('show your rate-limit windows (5-hour, weekly) as bars with reset times')
    .option('--refresh', 'send a tiny request instead of using the headers of your last answer')
    .option('--json', 'print JSON')
    .option('-m, --model <model>', 'model for the tiny request', DEFAULT_MODEL)
    .action(async (options, command: Command) => {
      const { runUsage } = await import('./commands/usage.js');
      setExitCode(await runUsage(contextOf(command), options));
    });

  program
    .command('demo')
    .description('run a scripted tour against a local emulator (no account, works offline)')
    .action(async (_options, command: Command) => {
      const { runDemo } = await import('./commands/demo.js');
      setExitCode(await runDemo(contextOf(command)));
    });

  program
    .command('doctor')
    .description('check Node.js, permissions, login, endpoints, clock and the WebSocket; exit 1 on a problem')
    .option('--json', 'print JSON')
    .action(async (options, command: Command) => {
      const { runDoctor } = await import('./commands/doctor.js');
      setExitCode(await runDoctor(contextOf(command), options));
    });

  program
    .command('completion')
    .description('print the shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      `
Install:
  bash  echo 'source <(codetether completion bash)' >> ~/.bashrc
  zsh   codetether completion zsh > "\${fpath[1]}/_codetether"   (then start a new shell; needs compinit)
  fish  codetether completion fish > ~/.config/fish/completions/codetether.fish`,
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish', _options, command: Command) => {
      const { runCompletion } = await import('./commands/completion.js');
      setExitCode(await runCompletion(contextOf(command), shell, program));
    });

  return program;
}
