import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file-write.js';
import { credentialsIoError } from './credentials-file-errors.js';
import { type OwnerOnlyFileLabel, readOwnerOnlyFile } from './credentials-file-safety.js';
import { defineLazySchemas } from './lazy-schemas.js';

/** One refresh that was started: which refresh token it spent (as a fingerprint) and when. */
export interface RefreshJournalEntry {
  /** {@link fingerprintRefreshToken} of the refresh token sent (never the token itself). */
  refreshTokenFingerprint: string;
  /** When the refresh request was about to be sent, in epoch milliseconds. */
  startedAt: number;
}

/**
 * Where a durable credential store records a refresh before sending it, so that a refresh lost to a
 * crash (the issuer rotated the refresh token, the new one was never saved) can be recognised later.
 */
export interface RefreshJournal {
  /** The journal's location (a file path). Never contains secrets. */
  readonly location: string;
  /** The recorded refresh, if any (a damaged journal reads as none). */
  read(): Promise<RefreshJournalEntry | undefined>;
  /** Records a refresh durably (written and fsync'd before it resolves). */
  write(entry: RefreshJournalEntry): Promise<void>;
  /** Removes the record (no error when there is none). */
  clear(): Promise<void>;
}

/** How messages name the journal. */
const JOURNAL_LABEL: OwnerOnlyFileLabel = { name: 'refresh journal', recovery: 'try again' };

/** The most bytes a refresh journal may hold: 64 KiB, far above the ~150 bytes one takes. */
export const REFRESH_JOURNAL_MAX_BYTES = 64 * 1024;

/** The journal's file format version. */
const REFRESH_JOURNAL_VERSION = 1;

// Built on first read: loading this package (every CLI command does) does not load zod.
const journalSchemas = defineLazySchemas((z) => ({
  journalFile: z.object({
    version: z.literal(REFRESH_JOURNAL_VERSION),
    refreshTokenFingerprint: z.string().min(1),
    startedAt: z.number().finite(),
  }),
}));

/**
 * A one-way fingerprint of a refresh token (`sha256:` + hex digest), to recognise the token without
 * storing or showing it.
 *
 * @param refreshToken - the refresh token
 */
export function fingerprintRefreshToken(refreshToken: string): string {
  return `sha256:${createHash('sha256').update(refreshToken, 'utf8').digest('hex')}`;
}

/**
 * The refresh journal of a credentials file: `<credentials file>.refresh-journal`, an owner-only JSON
 * file (`{ version, refreshTokenFingerprint, startedAt }`) written atomically and fsync'd, read with
 * the same checks as the credentials file (no symbolic links, regular file, owned by the user).
 *
 * @param credentialsPath - the credentials file the journal belongs to
 */
export function createFileRefreshJournal(credentialsPath: string): RefreshJournal {
  const path = `${credentialsPath}.refresh-journal`;
  return {
    location: path,
    async read() {
      const text = await readOwnerOnlyFile(path, JOURNAL_LABEL, { maxBytes: REFRESH_JOURNAL_MAX_BYTES });
      if (text === undefined) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return undefined;
      }
      const parsed = (await journalSchemas()).journalFile.safeParse(json);
      if (!parsed.success) return undefined;
      return {
        refreshTokenFingerprint: parsed.data.refreshTokenFingerprint,
        startedAt: parsed.data.startedAt,
      };
    },
    async write(entry) {
      const content = `${JSON.stringify({ version: REFRESH_JOURNAL_VERSION, ...entry }, null, 2)}\n`;
      try {
        await writeFileAtomically(path, content);
      } catch (error) {
        throw credentialsIoError(path, 'write', error, JOURNAL_LABEL.name);
      }
    },
    async clear() {
      try {
        await rm(path, { force: true });
      } catch (error) {
        throw credentialsIoError(path, 'delete', error, JOURNAL_LABEL.name);
      }
    },
  };
}
