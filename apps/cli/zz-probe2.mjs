const c0 = process.cpuUsage();
if (process.argv[2] === 'fetch-first') {
  try {
    await fetch('http://127.0.0.1:17456/v1/models');
  } catch {}
}
const c1 = process.cpuUsage(c0);
const c2 = process.cpuUsage();
await import('node:http');
const c3 = process.cpuUsage(c2);
console.log(
  process.argv[2],
  'fetch',
  ((c1.user + c1.system) / 1000).toFixed(1),
  'http',
  ((c3.user + c3.system) / 1000).toFixed(1),
);
