import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError } from './cli-error.js';

/**
 * Linux's kernel pseudo-filesystems by their `statfs` type (see `man 2 statfs`): they hold no files a
 * program can create, and Node.js's recursive `mkdir` loops forever below `/proc`.
 */
const PSEUDO_FILESYSTEM_BY_TYPE: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0x42494e4d, 'binfmt_misc'],
  [0x6e736673, 'nsfs'],
]);

/** Options of {@link findPseudoFilesystem} (tests replace the system). */
export interface FindPseudoFilesystemOptions {
  /** Default `process.platform`; only Linux is checked. */
  platform?: NodeJS.Platform;
  /** Default `fs.promises.statfs`. */
  statfs?: (path: string) => Promise<{ type: number }>;
}

/**
 * The name of the Linux kernel pseudo-filesystem (`proc`, `sysfs`…) `path` is on, judged by its
 * nearest existing folder (the home need not exist yet), or `undefined` for a regular filesystem,
 * another platform, or a path that cannot be checked (the command then reports that itself).
 *
 * @param path - the folder to check
 * @param options - platform and `statfs`
 */
export async function findPseudoFilesystem(
  path: string,
  options: FindPseudoFilesystemOptions = {},
): Promise<string | undefined> {
  if ((options.platform ?? process.platform) !== 'linux') return undefined;
  const statfsOf = options.statfs ?? statfs;
  let current = resolve(path);
  for (;;) {
    try {
      const { type } = await statfsOf(current);
      return PSEUDO_FILESYSTEM_BY_TYPE.get(type >>> 0);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) return undefined;
      current = parent;
    }
  }
}

/** What is wrong with a home on `filesystem`, one sentence. */
export function describePseudoFilesystemHome(home: string, filesystem: string): string {
  return `The CodeTether home ${home} is on ${filesystem}, a kernel pseudo-filesystem where no files can be stored.`;
}

/** What to do about a home on a pseudo-filesystem. */
export const PSEUDO_FILESYSTEM_HOME_HINT =
  'Set CODETETHER_HOME to a folder on a regular filesystem (default ~/.codetether).';

/**
 * Refuses a `CODETETHER_HOME` on a kernel pseudo-filesystem (`CODETETHER_HOME=/proc/x`) with a usage
 * error (exit 2) before any command touches it: writing there fails, and creating it hangs Node.js.
 *
 * @param home - the resolved home folder
 */
export async function refusePseudoFilesystemHome(home: string): Promise<void> {
  const filesystem = await findPseudoFilesystem(home);
  if (filesystem === undefined) return;
  throw new CliError('usage', describePseudoFilesystemHome(home, filesystem), {
    hint: PSEUDO_FILESYSTEM_HOME_HINT,
  });
}
