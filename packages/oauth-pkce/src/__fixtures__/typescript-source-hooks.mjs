// Loaded with `node --import` by the child processes of the cross-process tests, so they run the
// package's TypeScript source (Node strips the types) instead of a possibly stale dist/ build.
// The source imports siblings as `./name.js`; this resolves those to `./name.ts`.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw error;
    }
  },
});
