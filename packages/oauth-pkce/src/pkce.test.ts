import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCodeChallenge, createPkcePair, createState } from './pkce.js';

describe('PKCE', () => {
  it('matches the RFC 7636 Appendix B test vector', async () => {
    expect(await createCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates a 43-character base64url verifier with its S256 challenge', async () => {
    const pair = await createPkcePair();
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.challenge).toBe(await createCodeChallenge(pair.verifier));
  });

  it('never repeats verifiers or states', async () => {
    const verifiers = new Set<string>();
    const states = new Set<string>();
    for (let index = 0; index < 200; index++) {
      verifiers.add((await createPkcePair()).verifier);
      states.add(createState());
    }
    expect(verifiers.size).toBe(200);
    expect(states.size).toBe(200);
    expect([...states][0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('computes base64url(SHA-256(verifier)) for any verifier', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/), async (verifier) => {
        expect(await createCodeChallenge(verifier)).toBe(
          createHash('sha256').update(verifier).digest('base64url'),
        );
      }),
      { numRuns: 100 },
    );
  });
});
