// The README's main job. Runs the codetether demo (CLI against the in-process emulator).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../apps/cli/dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('The CLI is not built yet: run `npm run demo` from the repository root.');
  process.exit(1);
}
const result = spawnSync(process.execPath, [cli, 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
