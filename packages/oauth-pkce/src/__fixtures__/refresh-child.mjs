// Child process for the cross-process refresh test.
// argv: <auth.json path> <issuer url>; waits for "go" on stdin, then prints the access token as JSON.
import { createFileCredentialStore, createTokenManager } from '../../dist/index.js';

const [path, issuer] = process.argv.slice(2);
const manager = createTokenManager({ store: createFileCredentialStore({ path }), issuer });
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  try {
    const token = await manager.getAccessToken();
    process.stdout.write(
      `${JSON.stringify({ accessToken: token.accessToken, accountId: token.accountId })}\n`,
    );
    process.exit(0);
  } catch (error) {
    process.stdout.write(
      `${JSON.stringify({ error: error.code ?? String(error), message: error.message })}\n`,
    );
    process.exit(1);
  }
});
