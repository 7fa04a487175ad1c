// Loaded with `node --import` by the child processes some tests spawn, so they run a package's
// TypeScript source (Node strips the types) instead of a possibly stale dist/ build. The source
// imports its siblings as `./name.js`; when no such file exists, this resolves them to `./name.ts`.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      if (relative && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw error;
    }
  },
});
