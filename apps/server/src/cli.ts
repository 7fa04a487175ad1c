#!/usr/bin/env node
import { restartWithTunedAllocator } from './allocator-tuning.js';

async function main(): Promise<void> {
  // First, before the gateway's modules load: on Linux the process restarts itself (same PID) with
  // glibc's allocator tuned, so its memory comes back down after a burst of load.
  restartWithTunedAllocator(process);
  const { runServerCommand, SERVER_USAGE, ServerUsageError } = await import('./server-command.js');
  let started: Awaited<ReturnType<typeof runServerCommand>>;
  try {
    started = await runServerCommand(process.argv.slice(2), {
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    });
  } catch (error) {
    if (error instanceof ServerUsageError) {
      process.stderr.write(`codetether-server: ${error.message}\n\n${SERVER_USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`codetether-server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  if (started === undefined) return;
  const { gateway, settings } = started;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`codetether-server: ${signal} again, exiting now.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(
      `codetether-server: ${signal} received, finishing open streams (up to ${settings.shutdownGraceMs} ms)…\n`,
    );
    gateway.close({ graceMs: settings.shutdownGraceMs }).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `codetether-server: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
