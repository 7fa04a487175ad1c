import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCredentials } from './__fixtures__/credentials.js';
import { createApiKeyFileStore } from './api-key-store.js';
import { createFileCredentialStore } from './file-credential-store.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'oauth-pkce-profiles-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('file credential store profiles', () => {
  it('keeps the default profile at <home>/auth.json and a named one in <home>/profiles/<name>/', async () => {
    const fallback = createFileCredentialStore({ home });
    const work = createFileCredentialStore({ home, profile: 'work' });
    expect(fallback.location).toBe(join(home, 'auth.json'));
    expect(fallback.profile).toBe('default');
    expect(createFileCredentialStore({ home, profile: 'default' }).location).toBe(join(home, 'auth.json'));
    expect(work.location).toBe(join(home, 'profiles', 'work', 'auth.json'));
    expect(work.profile).toBe('work');
    expect(work.refreshJournal?.location).toBe(join(home, 'profiles', 'work', 'auth.json.refresh-journal'));

    await fallback.write({ ...makeCredentials(), accountId: 'account-default' });
    await work.write({ ...makeCredentials(), accountId: 'account-work' });
    expect((await fallback.read())?.accountId).toBe('account-default');
    expect((await work.read())?.accountId).toBe('account-work');
    for (const folder of [join(home, 'profiles'), join(home, 'profiles', 'work')]) {
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
    }
    expect((await stat(work.location)).mode & 0o777).toBe(0o600);

    await work.delete();
    expect(await work.read()).toBeUndefined();
    expect((await fallback.read())?.accountId).toBe('account-default');
  });

  it('locks each profile on its own', async () => {
    const work = createFileCredentialStore({ home, profile: 'work' });
    const personal = createFileCredentialStore({ home, profile: 'personal' });
    const order: string[] = [];
    await work.withLock(async () => {
      // Another profile's lock is free while this one is held.
      await personal.withLock(async () => {
        order.push('personal');
      });
      order.push('work');
    });
    expect(order).toEqual(['personal', 'work']);
  });

  it('lists the profiles holding a login, default first, skipping folders that are not profile names', async () => {
    const store = createFileCredentialStore({ home });
    expect(await store.listProfiles?.()).toEqual([]);
    await createFileCredentialStore({ home, profile: 'zeta' }).write(makeCredentials());
    await createFileCredentialStore({ home, profile: 'alpha' }).write(makeCredentials());
    await mkdir(join(home, 'profiles', 'empty'), { recursive: true });
    await mkdir(join(home, 'profiles', 'Not-Valid'), { recursive: true });
    await writeFile(join(home, 'profiles', 'Not-Valid', 'auth.json'), '{}');
    expect(await store.listProfiles?.()).toEqual(['alpha', 'zeta']);
    await store.write(makeCredentials());
    expect(await createFileCredentialStore({ home, profile: 'alpha' }).listProfiles?.()).toEqual([
      'default',
      'alpha',
      'zeta',
    ]);
  });

  it('refuses a hostile profile name before touching the disk', () => {
    expect(() => createFileCredentialStore({ home, profile: '../x' })).toThrow(
      expect.objectContaining({ code: 'invalid-profile' }),
    );
    expect(() => createApiKeyFileStore({ home, profile: '../../etc' })).toThrow(
      expect.objectContaining({ code: 'invalid-profile' }),
    );
  });

  it('keeps an API key per profile', async () => {
    const work = createApiKeyFileStore({ home, profile: 'work' });
    expect(work.location).toBe(join(home, 'profiles', 'work', 'api-key.json'));
    expect(createApiKeyFileStore({ home }).location).toBe(join(home, 'api-key.json'));
    await work.write('sk-work-key');
    expect(await work.read()).toBe('sk-work-key');
    expect(await createApiKeyFileStore({ home }).read()).toBeUndefined();
    expect(await work.listProfiles()).toEqual(['work']);
  });
});
