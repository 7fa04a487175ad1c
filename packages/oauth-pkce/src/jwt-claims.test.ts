import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeChatGptJwt, makeJwt } from './__fixtures__/jwt.js';
import { decodeJwtPayload, readAccountClaims } from './jwt-claims.js';

describe('readAccountClaims', () => {
  it('reads the account id from the https://api.openai.com/auth claim', () => {
    const token = makeChatGptJwt({
      accountId: 'acct_auth',
      planType: 'pro',
      email: 'a@b.c',
      exp: 1_900_000_000,
    });
    expect(readAccountClaims({ accessToken: token })).toEqual({
      accountId: 'acct_auth',
      planType: 'pro',
      email: 'a@b.c',
      expiresAt: 1_900_000_000_000,
    });
  });

  it('falls back to top-level chatgpt_account_id, then organizations[0].id', () => {
    expect(readAccountClaims({ idToken: makeJwt({ chatgpt_account_id: 'acct_top' }) }).accountId).toBe(
      'acct_top',
    );
    expect(
      readAccountClaims({ idToken: makeJwt({ organizations: [{ id: 'org_1' }, { id: 'org_2' }] }) })
        .accountId,
    ).toBe('org_1');
    expect(
      readAccountClaims({
        idToken: makeJwt({ 'https://api.openai.com/auth': { organizations: [{ id: 'org_nested' }] } }),
      }).accountId,
    ).toBe('org_nested');
    expect(
      readAccountClaims({
        idToken: makeJwt({
          chatgpt_account_id: 'acct_top',
          organizations: [{ id: 'org_1' }],
          'https://api.openai.com/auth': { chatgpt_account_id: 'acct_auth' },
        }),
      }).accountId,
    ).toBe('acct_auth');
  });

  it('prefers the id token, then the access token; expiry comes from the access token', () => {
    const idToken = makeJwt({ 'https://api.openai.com/auth': { chatgpt_account_id: 'acct_id' }, exp: 100 });
    const accessToken = makeChatGptJwt({ accountId: 'acct_access', planType: 'team', exp: 200 });
    expect(readAccountClaims({ idToken, accessToken })).toEqual({
      accountId: 'acct_id',
      planType: 'team',
      email: 'user@example.com',
      expiresAt: 200_000,
    });
    expect(readAccountClaims({ idToken: 'garbage', accessToken }).accountId).toBe('acct_access');
  });

  it('returns nothing for non-JWT input', () => {
    expect(readAccountClaims({})).toEqual({});
    expect(readAccountClaims({ accessToken: 'not-a-jwt', idToken: 'a.b.c' })).toEqual({});
    expect(decodeJwtPayload('x.eyJ.y')).toBeUndefined();
    expect(decodeJwtPayload(`x.${Buffer.from('[1]').toString('base64url')}.y`)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (idToken, accessToken) => {
        readAccountClaims({ idToken, accessToken });
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (payload) => {
        const token = `x.${Buffer.from(JSON.stringify(payload) ?? 'null').toString('base64url')}.y`;
        const claims = readAccountClaims({ accessToken: token });
        expect(typeof claims).toBe('object');
      }),
    );
  });
});
