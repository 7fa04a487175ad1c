import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { MAX_STANDARD_INPUT_BYTES, readAll } from './read-input.js';

/**
 * An input that would go on for `totalBytes` (think `yes`, `/dev/zero`), in 64 KiB chunks; `pulled()`
 * says how much of it was read.
 */
function longInput(totalBytes: number, byte = 0x61): { stream: Readable; pulled(): number } {
  const chunk = Buffer.alloc(64 * 1024, byte);
  let pulled = 0;
  const stream = new Readable({
    read() {
      if (pulled >= totalBytes) {
        this.push(null);
        return;
      }
      pulled += chunk.byteLength;
      this.push(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

async function rejectionOf(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('reading standard input that is huge', () => {
  it('stops reading as soon as the input passes the limit, with a usage error naming it', async () => {
    const input = longInput(64 * 1024 * 1024);
    const error = await rejectionOf(readAll(input.stream, { maxBytes: 1024 * 1024 }));
    expect(error).toMatchObject({ code: 'usage', exitCode: 2 });
    expect(error.message).toBe(
      'Standard input is larger than 1 MiB, the most the CLI reads; nothing was sent.',
    );
    expect(error.hint).toContain('head -c');
    // Read up to the limit and one chunk more: the remaining 63 MiB were never read.
    expect(input.pulled()).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
  });

  it('reads input right at the limit', async () => {
    const input = longInput(1024 * 1024);
    await expect(readAll(input.stream, { maxBytes: 1024 * 1024 })).resolves.toHaveLength(1024 * 1024);
  });

  it('has a documented default limit of 16 MiB', () => {
    expect(MAX_STANDARD_INPUT_BYTES).toBe(16 * 1024 * 1024);
  });
});

describe('reading standard input that is not text', () => {
  const read = (bytes: number[]): Promise<string> => {
    const stdin = new PassThrough();
    stdin.end(Buffer.from(bytes));
    return readAll(stdin);
  };
  const text = (value: string): number[] => [...Buffer.from(value, 'utf8')];

  it('refuses bytes that are not UTF-8 instead of sending U+FFFD in their place', async () => {
    const error = await rejectionOf(read([...text('abc'), 0xff, 0xfe, ...text('def')]));
    expect(error).toMatchObject({ code: 'usage', exitCode: 2 });
    expect(error.message).toBe(
      'Standard input is not UTF-8 text (byte 0xFF at offset 3 is not valid UTF-8); nothing was sent.',
    );
    expect(error.hint).toContain('iconv');
  });

  it('refuses a UTF-8 sequence cut off at the end of the input', async () => {
    const error = await rejectionOf(read([...text('caf'), 0xc3]));
    expect(error.message).toContain('offset 3');
  });

  it('refuses NUL bytes: binary data (an image, an archive) is not a prompt', async () => {
    const error = await rejectionOf(read([...text('PK'), 0x03, 0x04, 0x00, 0x00, ...text('x')]));
    expect(error).toMatchObject({ code: 'usage', exitCode: 2 });
    expect(error.message).toBe(
      'Standard input holds a NUL byte (offset 4), so it is binary data, not text; nothing was sent.',
    );
  });

  it('drops a UTF-8 byte order mark', async () => {
    await expect(read([0xef, 0xbb, 0xbf, ...text('héllo')])).resolves.toBe('héllo');
  });

  it('decodes UTF-16 with its byte order mark (Windows tools write it), little and big endian', async () => {
    const little = [0xff, 0xfe, ...Buffer.from('héllo ✓', 'utf16le')];
    await expect(read(little)).resolves.toBe('héllo ✓');
    const big = [0xfe, 0xff, ...Buffer.from('héllo ✓', 'utf16le').swap16()];
    await expect(read(big)).resolves.toBe('héllo ✓');
  });

  it('keeps multi-byte characters split across chunks', async () => {
    const stdin = new PassThrough();
    const bytes = Buffer.from('a✓b', 'utf8');
    const text = readAll(stdin);
    stdin.write(bytes.subarray(0, 2));
    stdin.end(bytes.subarray(2));
    await expect(text).resolves.toBe('a✓b');
  });
});
