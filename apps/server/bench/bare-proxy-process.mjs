// The floor of the like-for-like bench: the least a Node.js proxy can do between the openai SDK and
// the emulator's Responses endpoint — node:http in, node:http out over a keep-alive agent, the request
// body and the answer piped through untouched (no parsing, no checks, no conversions, no metrics).
// Whatever this costs per stream on a machine, no gateway written for Node can cost less there; the
// bench runs it in the same run as the gateway so its figures say how much of the gateway's cost is
// the gateway's own. Receives { emulatorUrl, accessToken, accountId } over IPC, answers { url }, then
// answers 'cpu' / 'rss' / 'heap' like gateway-process.mjs and exits on 'stop'.
import { Agent, createServer, request } from 'node:http';

process.once('message', (setup) => {
  const upstream = new URL(`${setup.emulatorUrl}/backend-api/codex/responses`);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  let inFlight = 0;
  const server = createServer((incoming, outgoing) => {
    inFlight += 1;
    outgoing.once('close', () => {
      inFlight -= 1;
    });
    const forwarded = request(
      upstream,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${setup.accessToken}`,
          'chatgpt-account-id': setup.accountId,
          originator: 'codex_cli_rs',
        },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, {
          'content-type': answer.headers['content-type'] ?? 'text/event-stream',
        });
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1', () => {
    process.send({ url: `http://127.0.0.1:${server.address().port}` });
  });
  process.on('message', (message) => {
    if (message === 'rss') process.send({ rssBytes: process.memoryUsage().rss });
    if (message === 'heap') {
      globalThis.gc?.();
      process.send({ heapUsedBytes: process.memoryUsage().heapUsed });
    }
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send({ cpuMicroseconds: usage.user + usage.system, system: usage.system, inFlight });
    }
    if (message === 'stop') {
      server.close();
      server.closeAllConnections();
      agent.destroy();
      process.exit(0);
    }
  });
});
