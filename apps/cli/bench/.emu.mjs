import { startEmulator } from '@codetether/emulator';
const e = await startEmulator();
console.log(JSON.stringify({url: e.openaiBaseUrl, key: e.createApiKey()}));
setInterval(()=>{ const r = e.requests.map(r=>r.method+' '+r.path); if (r.length) { console.error(r.join(',')); e.clearRequests(); } }, 500);
