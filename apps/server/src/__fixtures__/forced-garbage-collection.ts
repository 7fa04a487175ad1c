import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Tests run `gc()` themselves: a link held only weakly (a WeakRef that should have been a strong
// reference) is lost only when a collection runs.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs a full garbage collection, twice, with a turn of the event loop after each (finalizers run). */
export async function collectGarbage(): Promise<void> {
  for (let round = 0; round < 2; round += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
