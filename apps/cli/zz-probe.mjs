import * as nodeModule from 'node:module';

nodeModule.enableCompileCache?.();
const out = [];
for (const spec of process.argv.slice(2)) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await import(spec);
  const c = process.cpuUsage(c0);
  out.push(`${spec}=${((c.user + c.system) / 1000).toFixed(1)}/${(performance.now() - t0).toFixed(1)}`);
}
console.log(out.join('  '));
