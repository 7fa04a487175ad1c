// Child process of the Redis store tests (run with typescript-source-hooks.mjs). argv: <mode> <redis url>.
// `hold-lock`: takes the store's lock (2 s lifetime), prints "locked" and waits (to be SIGKILLed).
// `read`: reads the login, prints "read", and must then exit by itself (no close()).
import { createRedisCredentialStore } from '../index.ts';

const [mode, url] = process.argv.slice(2);
const store = createRedisCredentialStore({ url, lockTtlMs: 2000 });
if (mode === 'hold-lock') {
  await store.withLock(async () => {
    process.stdout.write('locked\n');
    await new Promise(() => setInterval(() => {}, 1000));
  });
} else {
  await store.read();
  process.stdout.write('read\n');
}
