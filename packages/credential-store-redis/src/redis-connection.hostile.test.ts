import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { storeFailure } from './redis-connection.js';

const SECRET = '{"tokens":{"accessToken":"access-token-secret-value-1234567890"}}';

/** A reply error as ioredis raises it: Redis's text, and the command with its arguments. */
function replyError(message: string): Error {
  return Object.assign(new Error(message), {
    name: 'ReplyError',
    command: { name: 'eval', args: ['script', '1', 'codetether:credentials', SECRET, '', ''] },
  });
}

describe('storeFailure against what a broken or hostile Redis answers', () => {
  it('a Redis quoting the arguments of a command it does not know shows none of them', () => {
    const error = storeFailure(
      replyError(
        `ERR unknown command 'eval', with args beginning with: 'script' '1' '${SECRET.slice(0, 60)}'`,
      ),
      'redis://127.0.0.1:6379/0',
    );
    expect(error).toMatchObject({ code: 'store-unavailable', isRetryable: true });
    expect(error.message).toContain('it refused the command (ERR)');
    const shown = `${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}\n${JSON.stringify(error.cause)}`;
    expect(shown).not.toContain('access-token-secret-value');
    expect(error.cause).toMatchObject({
      name: 'ReplyError',
      message: "ERR unknown command 'eval'",
      command: { name: 'eval' },
    });
  });

  it('a refused write (READONLY replica after a failover) says so, without the login', () => {
    const error = storeFailure(
      replyError("READONLY You can't write against a read only replica."),
      'redis://127.0.0.1:6379/0',
    );
    expect(error.message).toBe(
      'The credential store Redis at redis://127.0.0.1:6379/0 is unavailable (it refused the command (READONLY)). Check that Redis is running and reachable, then try again.',
    );
    expect(inspect(error, { depth: 10 })).not.toContain('access-token-secret-value');
  });

  it('a refused password is still store-misconfigured', () => {
    const error = storeFailure(replyError('WRONGPASS invalid username-password pair'), 'redis://h:6379/0');
    expect(error).toMatchObject({ code: 'store-misconfigured', isRetryable: false });
  });
});
