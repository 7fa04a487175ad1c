import { describe, expect, it } from 'vitest';
import { parseKeysArguments } from './keys-command.js';
import { ProfileLimits } from './profile-failover.js';
import { parseServerArguments, ServerUsageError } from './server-command.js';

const settingsOf = (argv: string[], env: Record<string, string> = {}) => {
  const settings = parseServerArguments(argv, env);
  if (typeof settings === 'string') throw new Error('expected settings');
  return { profile: settings.profile, failover: settings.failover };
};

describe('--profile and --failover', () => {
  it('take the flag, then the environment; the server key spends the first failover profile by default', () => {
    expect(settingsOf([])).toEqual({ profile: 'default', failover: [] });
    expect(settingsOf(['--profile', 'work'])).toEqual({ profile: 'work', failover: [] });
    expect(settingsOf([], { CODETETHER_PROFILE: 'home' })).toEqual({ profile: 'home', failover: [] });
    expect(settingsOf(['--failover', 'work, personal'])).toEqual({
      profile: 'work',
      failover: ['work', 'personal'],
    });
    expect(settingsOf(['--profile', 'personal'], { CODETETHER_SERVER_FAILOVER: 'work,personal' })).toEqual({
      profile: 'personal',
      failover: ['work', 'personal'],
    });
  });

  it('refuses hostile names, a single profile and repeats with a usage error', () => {
    expect(() => settingsOf(['--profile', '../x'])).toThrow(ServerUsageError);
    expect(() => settingsOf([], { CODETETHER_PROFILE: 'A' })).toThrow(
      /CODETETHER_PROFILE: The profile name "A"/,
    );
    expect(() => settingsOf(['--failover', 'work'])).toThrow(/two or more different profiles/);
    expect(() => settingsOf(['--failover', 'work,work'])).toThrow(/two or more different profiles/);
    expect(() => settingsOf(['--failover', 'work,../x'])).toThrow(/--failover: The profile name/);
    // Very long names and control characters: refused, shown escaped and cut (no terminal escapes).
    expect(() => settingsOf(['--profile', 'a'.repeat(5000)])).toThrow(/"a{80}…" is not valid/);
    expect(() => settingsOf([], { CODETETHER_SERVER_FAILOVER: 'work,x\u001b[2Jy' })).toThrow(
      /CODETETHER_SERVER_FAILOVER: The profile name "x\\u001b\[2Jy" is not valid/,
    );
  });
});

describe('keys create --profile', () => {
  it('checks the profile name when the key is made', () => {
    expect(parseKeysArguments(['create', 'laptop', '--profile', 'work'])).toEqual({
      action: 'create',
      name: 'laptop',
      profile: 'work',
    });
    expect(() => parseKeysArguments(['create', 'laptop', '--profile', '../x'])).toThrow(
      /--profile: The profile name "\.\.\/x" is not valid/,
    );
  });
});

describe('ProfileLimits', () => {
  it('skips a profile at its limit until the reset time, then offers it first again', () => {
    let clock = 1_000;
    const limits = new ProfileLimits(['a', 'b', 'c'], () => clock);
    expect(limits.candidatesFor('a')).toEqual(['a', 'b', 'c']);
    expect(limits.candidatesFor('b')).toEqual(['b', 'a', 'c']);
    expect(limits.candidatesFor('outside')).toEqual(['outside']);
    expect(limits.markLimited('a', 5_000)).toBe(5_000);
    expect(limits.candidatesFor('a')).toEqual(['b', 'c']);
    expect(limits.limitedUntilOf('a')).toBe(5_000);
    clock = 5_000;
    expect(limits.candidatesFor('a')).toEqual(['a', 'b', 'c']);
    expect(limits.limitedUntilOf('a')).toBeUndefined();
  });

  it('uses a default span without a reset time, and names the earliest reset when all are limited', () => {
    const limits = new ProfileLimits(['a', 'b'], () => 0);
    expect(limits.markLimited('a', undefined)).toBe(5 * 60 * 1000);
    expect(limits.markLimited('b', 60_000)).toBe(60_000);
    expect(limits.candidatesFor('b')).toEqual([]);
    expect(limits.exhaustion('a')).toEqual({ reason: 'usage-limit', earliestReset: 60_000 });
  });
});
