import { describe, expect, it } from 'vitest';
import { redirectTargetOf } from './redirect-target.js';

describe('redirectTargetOf', () => {
  it('names the origin and path only, resolved against the answering URL', () => {
    expect(redirectTargetOf('https://elsewhere.test/a/b?token=secret#x', 'https://api.test/v1')).toBe(
      'https://elsewhere.test/a/b',
    );
    expect(redirectTargetOf('/moved?code=1', 'https://api.test/v1/responses')).toBe('https://api.test/moved');
  });

  it('names nothing without a Location or for one that is no URL', () => {
    expect(redirectTargetOf(undefined, 'https://api.test/')).toBeUndefined();
    expect(redirectTargetOf(null, 'https://api.test/')).toBeUndefined();
    expect(redirectTargetOf('http://[bad', 'https://api.test/')).toBeUndefined();
  });
});
