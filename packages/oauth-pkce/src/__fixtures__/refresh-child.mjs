// Child process for the cross-process refresh test (run with typescript-source-hooks.mjs, see
// child-process.ts). argv: <auth.json path> <issuer url>. Prints "ready", waits for a line on stdin,
// then asks its own TokenManager for an access token and prints the outcome as one JSON line.
import { createFileCredentialStore, createTokenManager } from '../index.ts';

const [path, issuer] = process.argv.slice(2);
const manager = createTokenManager({
  store: createFileCredentialStore({ path, lockTimeoutMs: 120_000 }),
  issuer,
});
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  try {
    const token = await manager.getAccessToken();
    process.stdout.write(
      `${JSON.stringify({ accessToken: token.accessToken, accountId: token.accountId })}\n`,
    );
    process.exitCode = 0;
  } catch (error) {
    process.stdout.write(
      `${JSON.stringify({ error: error.code ?? String(error), message: error.message })}\n`,
    );
    process.exitCode = 1;
  }
  process.stdin.destroy();
});
