// Fails when a built output folder imports a Node-only module (`node:*` or a bare Node built-in),
// so a package that promises to run in browsers, Deno, Bun and edge runtimes keeps that promise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const folder = process.argv[2] ?? 'dist';
const builtins = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
const offenders = [];

function walk(directory) {
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(m|c)?js$/.test(entry)) {
      const source = readFileSync(path, 'utf8');
      for (const match of source.matchAll(importPattern)) {
        const specifier = match[1];
        if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) {
          offenders.push(`${path}: imports "${specifier}"`);
        }
      }
    }
  }
}

walk(folder);
if (offenders.length > 0) {
  console.error(`Node-only imports found in ${folder} (this package must run outside Node):`);
  for (const line of offenders) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`no Node-only imports in ${folder}`);
