/**
 * The glibc allocator settings `codetether-server` runs with on Linux: one malloc arena for all
 * threads, and freed memory at the top of the heap above 128 KiB given back to the system at once.
 * Without them glibc keeps what a burst of load made it allocate (one arena per thread that
 * allocated, up to 8 per core, and freed blocks it does not trim), so the gateway's idle RSS stays
 * up after the burst; with them it comes back down, at no measurable cost in CPU (see the README's
 * bench section). The container image and the systemd unit set the same values.
 */
export const TUNED_ALLOCATOR_ENVIRONMENT: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** The arguments that only print something (help, version) or manage keys: no gateway starts. */
function startsGateway(argv: readonly string[]): boolean {
  if (argv[0] === 'keys') return false;
  return !argv.some((argument) => ['-h', '--help', '-V', '--version'].includes(argument));
}

/**
 * The environment to restart `codetether-server` with so that glibc's allocator runs with
 * {@link TUNED_ALLOCATOR_ENVIRONMENT}, or `undefined` to run as is: on another platform than Linux,
 * when either variable is set already (the user's own choice, or this process is the restarted
 * one — so there is never a second restart), when a parent talks to the process over an IPC
 * channel (`NODE_CHANNEL_FD`), under a debugger (`--inspect…` in Node's options: a break at start
 * would come twice), or when the command starts no gateway. glibc reads
 * these variables once, when the process starts: they cannot be applied from inside.
 *
 * @param env - the current environment
 * @param platform - `process.platform`
 * @param argv - the command's arguments (without `node` and the script)
 * @param execArgv - Node's own options (`process.execArgv`)
 */
export function tunedAllocatorEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
  argv: readonly string[],
  execArgv: readonly string[] = [],
): Record<string, string> | undefined {
  if (platform !== 'linux' || !startsGateway(argv)) return undefined;
  if (env.MALLOC_ARENA_MAX !== undefined || env.MALLOC_TRIM_THRESHOLD_ !== undefined) return undefined;
  // Started by a parent that talks to it over an IPC channel (`fork()`, process managers): the
  // channel's descriptor would not survive the restart.
  if (env.NODE_CHANNEL_FD !== undefined) return undefined;
  const debugged = (option: string): boolean => option.startsWith('--inspect');
  if (execArgv.some(debugged) || (env.NODE_OPTIONS ?? '').split(/\s+/).some(debugged)) return undefined;
  const restarted: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) restarted[name] = value;
  return { ...restarted, ...TUNED_ALLOCATOR_ENVIRONMENT };
}

/** What {@link restartWithTunedAllocator} needs of `process`. */
export interface RestartableProcess {
  /** `process.platform`. */
  readonly platform: string;
  /** `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.execPath`. */
  readonly execPath: string;
  /** `process.execArgv`: Node's own options, kept for the restarted process. */
  readonly execArgv: readonly string[];
  /** `process.argv`. */
  readonly argv: readonly string[];
  /** `process.execve` (Node 22.15 / 23.11 and later; absent before). */
  readonly execve?: (file: string, args?: readonly string[], env?: Record<string, string>) => never;
}

/**
 * Replaces the current process (same PID, same standard streams, same arguments and Node options)
 * with one whose environment adds {@link TUNED_ALLOCATOR_ENVIRONMENT}, when
 * {@link tunedAllocatorEnvironment} says so and Node has `process.execve`. Returns only when it did
 * not restart (nothing to do, an older Node, or `execve` refused: the gateway then runs with
 * glibc's defaults, which only cost memory). Call it first thing, before the gateway's modules load.
 *
 * @param current - the running process (`process`)
 * @returns false when the process was not restarted
 */
export function restartWithTunedAllocator(current: RestartableProcess): false {
  const environment = tunedAllocatorEnvironment(
    current.env,
    current.platform,
    current.argv.slice(2),
    current.execArgv,
  );
  if (environment === undefined || typeof current.execve !== 'function') return false;
  try {
    current.execve(
      current.execPath,
      [current.execPath, ...current.execArgv, ...current.argv.slice(1)],
      environment,
    );
  } catch {
    // Refused (a sandbox without execve, an unreadable binary): run on with the default allocator.
  }
  return false;
}
