// Child process of the "idle pooled sockets do not keep the process alive" test. argv: <responses url>.
// Runs one turn with a session id, prints the transport state, and deliberately does not call close():
// the process must still exit on its own although the socket stays pooled.
import { createWebSocketTransport } from '../web-socket-transport.ts';

const [url] = process.argv.slice(2);
const transport = createWebSocketTransport();
const response = await transport.stream({
  url,
  headers: { Authorization: 'Bearer child-test-token' },
  body: { model: 'gpt-5.4', input: 'hi', stream: true },
  sessionId: 'child-session',
});
let last = '';
for await (const event of response.events) last = event.type;
process.stdout.write(`${JSON.stringify({ last, ...transport.state() })}\n`);
