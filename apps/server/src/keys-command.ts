import { parseArgs } from 'node:util';
import { parseProfileName } from '@codetether/oauth-pkce';
import { type ClientKeyStorage, openClientKeyStorage } from './client-key-storage-selection.js';
import { printableArgument } from './printable-argument.js';
import { refuseRepeatedOptions } from './repeated-options.js';
import { ServerUsageError } from './server-usage-error.js';

/** The usage text of `codetether-server keys`. */
export const KEYS_USAGE = `Usage: codetether-server keys create NAME [--profile P]
       codetether-server keys list
       codetether-server keys revoke NAME

Keys per client: each client gets a key of its own, stored hashed in CODETETHER_HOME/client-keys.json
(mode 0600), or in Redis when CODETETHER_STORE is a redis:// URL (shared by every gateway replica). A key
sees only its own conversations and is counted under its NAME in /metrics. The gateway's own key keeps
working alongside. A revoked key is refused on its next request (by every replica).

  create NAME [--profile P]  make a key and print it once on stdout; with --profile its requests spend
                             login profile P (codetether auth login --profile P), else the gateway's
  list                       names, profiles, creation times, and requests and tokens of the running
                             gateway (CODETETHER_HOME/client-key-usage.json), or of every replica (Redis)
  revoke NAME                remove a key
`;

/** A parsed `keys` command. */
export type KeysCommand =
  | { action: 'create'; name: string; profile?: string }
  | { action: 'list' }
  | { action: 'revoke'; name: string }
  | { action: 'help' };

/**
 * Parses the arguments after `keys`.
 *
 * @param argv - e.g. `['create', 'laptop', '--profile', 'work']`
 * @throws {@link ServerUsageError} on a mistake
 */
export function parseKeysArguments(argv: readonly string[]): KeysCommand {
  let parsed: {
    values: { profile?: string; help?: boolean };
    positionals: string[];
    tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>;
  };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw new ServerUsageError(printableArgument((error as Error).message, 400));
  }
  refuseRepeatedOptions(parsed.tokens);
  const [action, name, ...rest] = parsed.positionals;
  if (parsed.values.help === true || action === undefined || action === 'help') return { action: 'help' };
  if (rest.length > 0)
    throw new ServerUsageError(`Unexpected argument '${printableArgument(rest[0] ?? '')}'.`);
  if (action === 'list') {
    if (name !== undefined)
      throw new ServerUsageError(`keys list takes no name, got '${printableArgument(name)}'.`);
    return { action: 'list' };
  }
  if (action !== 'create' && action !== 'revoke')
    throw new ServerUsageError(
      `Unknown keys command '${printableArgument(action)}'; use create, list or revoke.`,
    );
  if (name === undefined) throw new ServerUsageError(`keys ${action} needs a NAME.`);
  if (action === 'revoke') {
    if (parsed.values.profile !== undefined) throw new ServerUsageError('--profile goes with keys create.');
    return { action, name };
  }
  const given = parsed.values.profile;
  if (given?.trim() === '') throw new ServerUsageError('--profile must not be empty.');
  if (given === undefined) return { action, name };
  try {
    return { action, name, profile: parseProfileName(given) };
  } catch (error) {
    throw new ServerUsageError(`--profile: ${(error as Error).message}`);
  }
}

/** Output and environment of {@link runKeysCommand}. */
export interface KeysCommandIo {
  /** Environment (`CODETETHER_HOME`, `CODETETHER_STORE`). */
  env: Record<string, string | undefined>;
  /** The command's result: the new key, the list. */
  stdout: (text: string) => void;
  /** Messages for people: how to use a new key, confirmations. */
  stderr: (text: string) => void;
}

/**
 * Runs `codetether-server keys …`: creates a key (printed once, alone on stdout, with how to use it on
 * stderr), lists keys with their usage, or revokes one.
 *
 * @param argv - the arguments after `keys`
 * @param io - environment and output
 * @throws {@link ServerUsageError} on a command-line mistake, a `ClientKeyError` when the key file or a name is wrong
 */
export async function runKeysCommand(argv: readonly string[], io: KeysCommandIo): Promise<void> {
  const command = parseKeysArguments(argv);
  if (command.action === 'help') {
    io.stdout(KEYS_USAGE);
    return;
  }
  const storage = openClientKeyStorage(io.env);
  try {
    await runKeysAction(command, storage, io);
  } finally {
    await storage.close();
  }
}

async function runKeysAction(
  command: Exclude<KeysCommand, { action: 'help' }>,
  { store, usage: usageStore, location }: ClientKeyStorage,
  io: KeysCommandIo,
): Promise<void> {
  if (command.action === 'create') {
    const options = command.profile === undefined ? {} : { profile: command.profile };
    const { key } = await store.create(command.name, options);
    io.stdout(`${key}\n`);
    io.stderr(
      [
        `Created the key '${command.name}' (stored hashed in ${location}). It is shown only this once, above.`,
        'Give it to the client as its OpenAI key, for example:',
        '  export OPENAI_API_KEY=<the key above>',
        `Revoke it with: codetether-server keys revoke ${command.name}`,
        '',
      ].join('\n'),
    );
    return;
  }
  if (command.action === 'revoke') {
    await store.revoke(command.name);
    io.stderr(`Revoked the key '${command.name}'; a running gateway refuses it from its next request.\n`);
    return;
  }
  const { records, ignored } = (await store.list?.()) ?? { records: await store.load(), ignored: 0 };
  const usage = await usageStore.read().catch(() => undefined);
  if (ignored > 0) {
    io.stderr(
      `Ignored ${ignored} ${ignored === 1 ? 'entry' : 'entries'} of ${location} that ${ignored === 1 ? 'is not a valid key' : 'are not valid keys'} (a name, profile, hash or date keys create would not write): never used, not shown. Remove ${ignored === 1 ? 'it' : 'them'} from the file.\n`,
    );
  }
  if (records.length === 0) {
    io.stderr('No client keys yet. Create one with: codetether-server keys create NAME\n');
    return;
  }
  const rows = records.map((record) => {
    const used = usage?.keys[record.name];
    return [
      record.name,
      record.profile ?? '-',
      record.createdAt,
      String(used?.requests ?? 0),
      String(used?.tokens ?? 0),
    ];
  });
  const header = ['NAME', 'PROFILE', 'CREATED', 'REQUESTS', 'TOKENS'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `${cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  io.stdout(line(header) + rows.map(line).join(''));
  io.stderr(
    usage === undefined
      ? 'Requests and tokens: none recorded (a running gateway writes them to client-key-usage.json).\n'
      : `Requests and tokens ${usage.scope}.\n`,
  );
}
