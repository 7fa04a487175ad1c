import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH } from './__fixtures__/cli-harness.js';
import { stopQuietlyWhenReaderLeaves } from './output-reader-gone.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'codetether-reader-gone-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/**
 * The write end of a pipe whose reader is already gone (`codetether … | head` after head exited): a FIFO
 * opened for writing while a reader held it, then that reader closed. Every write to it fails with EPIPE.
 */
function outputWithoutReader(): number {
  const fifo = join(folder, 'stdout.fifo');
  execFileSync('mkfifo', [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  closeSync(reader);
  return writer;
}

function runWithStdout(args: string[], stdout: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      stdio: ['ignore', stdout, 'pipe'],
      env: { PATH: process.env.PATH, CODETETHER_HOME: join(folder, 'home'), NO_COLOR: '1' },
    });
    closeSync(stdout);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('codetether when the reader of its standard output went away', { timeout: 20_000 }, () => {
  for (const args of [['--version'], ['--help'], ['completion', 'bash']]) {
    posixOnly(`\`codetether ${args.join(' ')}\` stops quietly on EPIPE instead of crashing`, async () => {
      const result = await runWithStdout(args, outputWithoutReader());
      expect(result.stderr).not.toContain('Unhandled');
      expect(result.stderr).not.toContain('EPIPE');
      expect(result.code).toBe(0);
    });
  }
});

describe('stopQuietlyWhenReaderLeaves', () => {
  const writeError = (code: string) => Object.assign(new Error(`write ${code}`), { code, syscall: 'write' });

  it.each(['EPIPE', 'ECONNRESET'])(
    'ends the process quietly on %s (a socket reset by its reader too)',
    (code) => {
      const stream = new EventEmitter();
      const exits: Array<number | string | undefined> = [];
      stopQuietlyWhenReaderLeaves([stream], (exitCode) => exits.push(exitCode));
      stream.emit('error', writeError(code));
      expect(exits).toEqual([0]);
    },
  );

  it('still throws any other write error', () => {
    const stream = new EventEmitter();
    const exits: Array<number | string | undefined> = [];
    stopQuietlyWhenReaderLeaves([stream], (exitCode) => exits.push(exitCode));
    expect(() => stream.emit('error', writeError('ENOSPC'))).toThrow('write ENOSPC');
    expect(exits).toEqual([]);
  });
});
