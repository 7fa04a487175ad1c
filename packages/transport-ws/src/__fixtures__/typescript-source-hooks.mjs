// Loaded with `node --import` by the child process of the idle-socket test so it runs this package's
// TypeScript source (Node strips the types) rather than dist/. Sibling imports are spelled `./x.js`
// in the source; when no such file exists, this retries them as `./x.ts`.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      if (relative && specifier.endsWith('.js'))
        return nextResolve(specifier.replace(/\.js$/, '.ts'), context);
      throw error;
    }
  },
});
