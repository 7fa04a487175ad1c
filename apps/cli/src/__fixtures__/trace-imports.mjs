// Preloaded with `node --import` by cli.test.ts: prints every module URL the CLI resolves.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    process.stderr.write(`[resolved] ${result.url}\n`);
    return result;
  },
});
