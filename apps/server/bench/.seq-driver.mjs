// Sequential driver: emulator + gateway in a child (profiled), N sequential streams via openai SDK.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { startEmulator } from '@codetether/emulator';
import OpenAI from 'openai';
import { toStoredLogin } from '/work/wt-gw16/apps/server/src/__fixtures__/emulator-login.ts';

const route = process.env.ROUTE ?? 'chat';
const n = Number(process.env.N ?? 200);
const emulator = await startEmulator({ scenario: 'text', eventDelayMs: 5 });
const credentials = toStoredLogin(emulator.issueTokens());
const child = fork('/work/wt-gw16/apps/server/bench/gateway-process.mjs', {
  stdio: 'inherit',
  execArgv: (process.env.EXEC ?? '').split(' ').filter(Boolean),
});
child.send({
  emulatorUrl: emulator.url,
  credentials,
  transport: 'http',
  apiKey: 'k',
  provider: 'codex',
  text: '',
  eventDelayMs: 5,
});
const [{ url }] = await once(child, 'message');
const ask = async (q) => {
  child.send(q);
  return (await once(child, 'message'))[0];
};
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', maxRetries: 0 });
const one = async (i) => {
  const s =
    route === 'chat'
      ? await client.chat.completions.create({
          model: 'gpt-5.4',
          messages: [{ role: 'user', content: `hello ${i}` }],
          stream: true,
        })
      : await client.responses.create({
          model: 'gpt-5.4',
          instructions: 'B',
          input: [{ role: 'user', content: `hello ${i}` }],
          store: false,
          stream: true,
        });
  let events = 0;
  for await (const _ of s) events++;
  return events;
};
for (let i = 0; i < 20; i++) await one(i);
const b = await ask('cpu');
const before = b.cpuMicroseconds;
let events = 0;
for (let i = 0; i < n; i++) events += await one(i);
const a = await ask('cpu');
const after = a.cpuMicroseconds;
console.log(
  'user ms/stream',
  ((a.user - b.user) / 1000 / n).toFixed(2),
  'system',
  ((a.system - b.system) / 1000 / n).toFixed(2),
);
console.log(
  `${route}: ${((after - before) / 1000 / n).toFixed(2)} ms CPU per stream, ${events / n} events/stream`,
);
child.send('stop');
await once(child, 'exit');
await emulator.close();
