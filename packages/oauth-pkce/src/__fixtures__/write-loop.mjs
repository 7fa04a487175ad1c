// Child process for the killed-mid-write test: writes two alternating logins forever (run with
// typescript-source-hooks.mjs, see child-process.ts).
// argv: <auth.json path>
import { createFileCredentialStore } from '../index.ts';

const store = createFileCredentialStore({ path: process.argv[2] });
const big = 'x'.repeat(256 * 1024);
const logins = ['old', 'new'].map((name) => ({
  type: 'chatgpt',
  tokens: {
    accessToken: `access-${name}`,
    refreshToken: `refresh-${name}`,
    idToken: `${name}-${big}`,
    expiresAt: 1,
  },
  accountId: `account-${name}`,
  lastRefreshAt: 1,
  source: 'login',
}));
let count = 0;
for (;;) {
  await store.write(logins[count % 2]);
  count++;
  if (count === 2) process.stdout.write('ready\n');
}
