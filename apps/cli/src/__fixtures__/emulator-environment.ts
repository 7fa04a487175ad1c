import { type Emulator, type EmulatorOptions, startEmulator } from '@codetether/emulator';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createTestEnvironment, storeEmulatorLogin, type TestEnvironment } from './cli-harness.js';

/** Options of {@link useEmulatorEnvironment}. */
export interface EmulatorEnvironmentOptions {
  /** What the emulator starts with; restored (and its request log cleared) before every test. */
  emulator?: EmulatorOptions;
  /** Store an emulator-issued ChatGPT login in the home (default false: logged out). */
  loggedIn?: boolean;
  /** `test` (default): a fresh home for every test; `file`: one home shared by the file's tests. */
  homeScope?: 'test' | 'file';
}

/** The emulator of the test file and the current test's home; read them inside tests and hooks. */
export interface EmulatorEnvironment {
  /** The emulator, started once for the file. */
  readonly emulator: Emulator;
  /** A temporary `CODETETHER_HOME` and an environment pointing the CLI at the emulator. */
  readonly environment: TestEnvironment;
}

/**
 * Registers the hooks every CLI end-to-end test file needs: one emulator for the file, a temporary
 * home (optionally logged in) per test or per file, the emulator reset before every test, and
 * everything removed afterwards. Call it at the top level of a test file.
 *
 * @param options - emulator options, login and home scope
 */
export function useEmulatorEnvironment(options: EmulatorEnvironmentOptions = {}): EmulatorEnvironment {
  const startOptions = options.emulator ?? {};
  let emulator: Emulator | undefined;
  let environment: TestEnvironment | undefined;

  const createHome = async (running: Emulator): Promise<TestEnvironment> => {
    const created = await createTestEnvironment(running);
    if (options.loggedIn === true) await storeEmulatorLogin(running, created.home);
    return created;
  };

  beforeAll(async () => {
    emulator = await startEmulator(startOptions);
    if (options.homeScope === 'file') environment = await createHome(emulator);
  });
  afterAll(async () => {
    await environment?.cleanup();
    await emulator?.close();
  });
  beforeEach(async () => {
    if (emulator === undefined) throw new Error('The emulator did not start.');
    if (options.homeScope !== 'file') environment = await createHome(emulator);
    emulator.setOptions(startOptions);
    emulator.clearRequests();
  });
  if (options.homeScope !== 'file') {
    afterEach(async () => {
      await environment?.cleanup();
      environment = undefined;
    });
  }

  return {
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get emulator() {
      if (emulator === undefined) throw new Error('The emulator is available only inside tests and hooks.');
      return emulator;
    },
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get environment() {
      if (environment === undefined) throw new Error('The home is available only inside tests and hooks.');
      return environment;
    },
  };
}
