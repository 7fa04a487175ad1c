import type { ClientKeyStore } from './client-key-store.js';
import { isLoopbackHost } from './request-origin-policy.js';

/** Where the gateway's own key came from (`loadOrCreateServerApiKey`'s `source`). */
export type ServerKeySource = 'environment' | 'file' | 'generated';

/**
 * The warnings `codetether-server` writes to stderr, next to its banner, once it listens: bound to an
 * address other than loopback, anyone who can reach it and has a key spends the account — said loudly
 * where a person reads (the JSON log line alone is easy to miss), and more so when the key was just
 * generated and printed, which a shared terminal or log may keep. Nothing for a loopback address.
 *
 * @param host - the bound address
 * @param keySource - where the gateway's own key came from
 * @param apiKey - the gateway's own key: one under 20 characters is called out (never shown)
 * @returns lines, each ending with a line feed; empty for loopback
 */
export function startUpWarnings(host: string, keySource: ServerKeySource, apiKey?: string): string[] {
  if (isLoopbackHost(host)) return [];
  const lines = [
    `WARNING: listening on ${host}, which other machines can reach: anyone who can connect and has a key spends your account.\n`,
    'WARNING: bind to 127.0.0.1 (the default) unless you mean it, and put TLS in front for anything but a trusted network.\n',
  ];
  if (keySource === 'generated') {
    lines.push(
      'WARNING: the key above was generated just now and printed here; for a gateway others can reach, set CODETETHER_SERVER_API_KEY or store a key first and start with --require-key.\n',
    );
  }
  if (apiKey !== undefined && apiKey.length < SHORT_KEY_LENGTH) {
    lines.push(
      `WARNING: the server key is ${apiKey.length} characters long: someone who can reach the gateway could guess it. Use at least ${SHORT_KEY_LENGTH} random characters (openssl rand -hex 32).\n`,
    );
  }
  return lines;
}

/** Below this many characters a key others can try against is called out. */
const SHORT_KEY_LENGTH = 20;

/**
 * The warnings about the client keys at start-up: the store cannot be read (a corrupted file, Redis
 * down) — then every client key is refused until it is fixed, while the gateway's own key works — or it
 * holds entries that are not valid keys (never used). Empty when the keys read fine.
 *
 * @param store - the client key store
 * @returns lines, each ending with a line feed
 */
export async function clientKeyWarnings(store: ClientKeyStore): Promise<string[]> {
  try {
    const listing = (await store.list?.()) ?? { records: await store.load(), ignored: 0 };
    if (listing.ignored === 0) return [];
    return [
      `WARNING: ${listing.ignored} stored client key ${listing.ignored === 1 ? 'entry is' : 'entries are'} not valid and ignored (see codetether-server keys list).\n`,
    ];
  } catch (error) {
    return [
      `WARNING: the client keys cannot be read: ${(error as Error).message} Until this is fixed every client key is refused; the gateway's own key works.\n`,
    ];
  }
}

/** A text whose second parse some V8 releases get wrong (see {@link jsonEngineWarnings}). */
const ESCAPED_KEYS_TEXT = '[{"x":0,"\\u00e9":0},{"x":0,"\\\\":0}]';

/**
 * The warning about the JavaScript engine at start-up: V8 in some Node.js releases (seen in 24.21.0
 * and 25.9.0; 22.22.0 and 24.22.3 are right) mixes up escaped object keys when `JSON.parse` reads a
 * text of the same shape a second time — `[{"x":0,"\u00e9":0},{"x":0,"\\":0}]` comes back with the
 * later `"\\"` in place of `"é"` — so a request body whose keys are written escaped (Python's
 * `json.dumps` escapes non-ASCII by default) could be read wrong. Tried on that text, twice; empty
 * when the engine gets it right.
 *
 * @param parse - the JSON parser to try (`JSON.parse`)
 * @param nodeVersion - the runtime's version, named in the warning
 * @returns lines, each ending with a line feed
 */
export function jsonEngineWarnings(
  parse: (text: string) => unknown = JSON.parse,
  nodeVersion: string = process.versions.node,
): string[] {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const value = parse(ESCAPED_KEYS_TEXT);
    const first = Array.isArray(value) ? (value[0] as unknown) : undefined;
    const keys = typeof first === 'object' && first !== null ? Object.keys(first) : [];
    if (keys.length !== 2 || keys[1] !== 'é') {
      return [
        `WARNING: this Node.js (${nodeVersion}) has a V8 bug that mixes up escaped keys when JSON.parse reads a text of the same shape again: request bodies whose keys are written escaped (\\u00e9) may be read wrong. Use Node.js 22 or 24.22.3 or newer.\n`,
      ];
    }
  }
  return [];
}
