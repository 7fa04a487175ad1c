import { startEmulator } from '@codetether/emulator';

const e = await startEmulator({ port: 17456 });
console.log(e.createApiKey());
setInterval(() => {}, 1e6);
