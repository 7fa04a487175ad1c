#!/usr/bin/env node
import { restartWithTunedAllocator } from './allocator-tuning.js';

async function main(): Promise<void> {
  // First, before the gateway's modules load: on Linux the process restarts itself (same PID) with
  // glibc's allocator tuned, so its memory comes back down after a burst of load.
  restartWithTunedAllocator(process);
  const { runServerCommand, SERVER_USAGE, ServerUsageError } = await import('./server-command.js');
  // The handlers are in place before the gateway listens, so a signal sent as soon as the banner shows
  // is never met by Node's default action (dying on the spot, open streams cut).
  let started: Awaited<ReturnType<typeof runServerCommand>>;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (started === undefined) {
      // Still starting: nothing to finish yet; end of the signal, as without a handler.
      for (const name of STOP_SIGNALS) process.off(name, stop);
      process.kill(process.pid, signal);
      return;
    }
    if (stopping) {
      process.stderr.write(`codetether-server: ${signal} again, exiting now.\n`);
      process.exit(1);
    }
    stopping = true;
    const { gateway, settings } = started;
    process.stderr.write(
      `codetether-server: ${signal} received, finishing the requests in flight (up to ${settings.shutdownGraceMs} ms)…\n`,
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
  // SIGHUP (the terminal closed, or `kill -HUP` expecting a reload, which has nothing to reload) ends
  // the gateway as gracefully as SIGTERM does, instead of Node's default of dying on the spot.
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  const finishedWithoutServing = (exitCode: number): void => {
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
    process.exitCode = exitCode;
  };
  try {
    started = await runServerCommand(process.argv.slice(2), {
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    });
  } catch (error) {
    if (error instanceof ServerUsageError) {
      process.stderr.write(`codetether-server: ${error.message}\n\n${SERVER_USAGE}`);
      finishedWithoutServing(2);
      return;
    }
    process.stderr.write(`codetether-server: ${error instanceof Error ? error.message : String(error)}\n`);
    finishedWithoutServing(1);
    return;
  }
  if (started === undefined) finishedWithoutServing(0);
}

/** The signals that stop the gateway gracefully (a second one of them exits at once). */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

void main();
