// The throw-away redis-server of every Redis test in the repository lives in scripts/testing (apps use it
// too, and apps import no package's src/); this package's tests import it from here.
export {
  hasRedisServer,
  startTestRedisServer,
  type TestRedisServer,
} from '../../../../scripts/testing/redis-server.js';
