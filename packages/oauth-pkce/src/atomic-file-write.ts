import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files older than this are taken to be left over from a crashed write. */
const ABANDONED_TEMP_FILE_AGE_MS = 60_000;

function tempPrefixFor(path: string): string {
  return `.${basename(path)}.`;
}

/** Removes `.<name>.*.tmp` files of `path` older than a minute (left by crashed writers); best effort. */
async function removeAbandonedTempFiles(path: string): Promise<void> {
  const folder = dirname(path);
  const tempPrefix = tempPrefixFor(path);
  try {
    const names = await readdir(folder);
    const cutoff = Date.now() - ABANDONED_TEMP_FILE_AGE_MS;
    await Promise.all(
      names
        .filter((name) => name.startsWith(tempPrefix) && name.endsWith('.tmp'))
        .map(async (name) => {
          const tempPath = join(folder, name);
          const info = await stat(tempPath);
          if (info.mtimeMs < cutoff) await rm(tempPath, { force: true });
        }),
    );
  } catch {
    // best effort
  }
}

/** fsyncs the folder so the rename itself is durable; not supported everywhere, so failures are ignored. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const folderHandle = await open(folder, 'r');
    try {
      await folderHandle.sync();
    } finally {
      await folderHandle.close();
    }
  } catch {
    // fsync of a directory is not supported everywhere; the rename is still atomic.
  }
}

/** `byteCount` random bytes as hex (Web Crypto: no `node:crypto` import when the package loads). */
function randomHex(byteCount: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(byteCount))).toString('hex');
}

/**
 * Replaces `path` atomically with `content`, mode 0600: writes a new temp file in the same folder
 * (`.<name>.<pid>.<random>.tmp`), fsyncs it and renames it over `path`, so a reader or a crash sees
 * either the old or the new content, never a partial file. Then fsyncs the folder and removes temp
 * files abandoned by crashed writers. Rejects with the system error (and no temp file left) when the
 * write or the rename fails.
 *
 * @param path - the file to replace (its folder must exist)
 * @param content - the new content, UTF-8
 */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const folder = dirname(path);
  const tempPath = join(folder, `${tempPrefixFor(path)}${process.pid}.${randomHex(6)}.tmp`);
  try {
    const handle = await open(tempPath, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => {});
    throw error;
  }
  await syncFolder(folder);
  await removeAbandonedTempFiles(path);
}
