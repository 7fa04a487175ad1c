// The gateway under benchmark, in its own process so its memory can be measured.
// Receives { emulatorUrl, credentials, transport } over IPC, answers { url } and later { maxRssBytes }.
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import { createCodexProvider } from '@codetether/provider-codex';
import { createGatewayLogger, startGatewayServer } from '../dist/index.js';

process.once('message', async (setup) => {
  const provider = createCodexProvider({
    env: {},
    auth: { type: 'chatgpt', store: createMemoryCredentialStore(setup.credentials) },
    issuer: setup.emulatorUrl,
    chatgptBaseUrl: `${setup.emulatorUrl}/backend-api/codex`,
    transport: setup.transport,
  });
  const gateway = await startGatewayServer({
    provider,
    apiKey: setup.apiKey,
    port: 0,
    logger: createGatewayLogger({ level: 'warn' }),
    closeProviderOnClose: true,
  });
  process.send({ url: gateway.url });
  process.on('message', async (message) => {
    if (message === 'memory') process.send({ maxRssBytes: process.resourceUsage().maxRSS * 1024 });
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send({ cpuMicroseconds: usage.user + usage.system });
    }
    if (message === 'stop') {
      await gateway.close({ graceMs: 0 });
      process.exit(0);
    }
  });
});
