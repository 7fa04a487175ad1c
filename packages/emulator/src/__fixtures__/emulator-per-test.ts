import { afterEach, beforeEach } from 'vitest';
import { startEmulator } from '../server.js';
import type { Emulator, EmulatorOptions } from '../types.js';
import { openSocket, type TestSocket } from './emulator-client.js';

/** A fresh emulator for every test of the file, with the sockets the test opened closed after it. */
export interface EmulatorPerTest {
  /** The current test's emulator. */
  readonly emulator: Emulator;
  /** Opens a WebSocket to a backend's Responses endpoint (terminated after the test). */
  connect(url: string, headers: Record<string, string>): Promise<TestSocket>;
}

/**
 * Registers `beforeEach`/`afterEach` hooks that start an emulator before each test and, after it,
 * terminate the sockets it opened and close the emulator.
 *
 * @param options - emulator options
 */
export function startEmulatorPerTest(options: EmulatorOptions = {}): EmulatorPerTest {
  let current: Emulator | undefined;
  const sockets: TestSocket[] = [];
  beforeEach(async () => {
    current = await startEmulator(options);
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.socket.terminate();
    await current?.close();
  });
  return {
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get emulator() {
      if (current === undefined) throw new Error('The emulator runs only inside a test.');
      return current;
    },
    async connect(url, headers) {
      const socket = await openSocket(url, headers);
      sockets.push(socket);
      return socket;
    },
  };
}
