import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openLoginDatabase } from '../src/worker/login/login-database.js';
import { checkLoginOptions } from '../src/worker/login/login-options.js';
import { parseLoginPayload } from '../src/worker/login/parse-login-payload.js';
import { oauthCode } from '../src/worker/login/oauth-code.js';
import { createPendingLogins, MAX_PENDING, PENDING_TTL_MS } from '../src/worker/login/pending-logins.js';
import { userClaims } from '../src/worker/login/user-claims.js';

let databases = 0;
const pending = (now: () => number) => createPendingLogins(openLoginDatabase(`login-test-${++databases}`), now);
const login = (key: string, createdAt: number) => ({ kind: 'login' as const, key, verifier: `v-${key}`, nonce: `n-${key}`, returnTo: 'https://app.test/', createdAt });

describe('pending logins', () => {
  it('keeps several at once and gives each out once', async () => {
    const store = pending(() => 1000);
    await store.put(login('a', 1000));
    await store.put(login('b', 1000));
    const [first, again] = await Promise.all([store.take('a', 'login'), store.take('a', 'login')]);
    expect([first?.verifier, again]).toEqual(['v-a', null]);
    expect((await store.take('b', 'login'))?.nonce).toBe('n-b');
    expect(await store.take('b', 'login')).toBeNull();
  });

  it('expires after ten minutes and is gone afterwards', async () => {
    let now = 0;
    const store = pending(() => now);
    await store.put(login('old', 0));
    now = PENDING_TTL_MS + 1;
    expect(await store.take('old', 'login')).toBeNull();
    await store.put(login('fresh', now));
    now += PENDING_TTL_MS;
    expect((await store.take('fresh', 'login'))?.key).toBe('fresh');
  });

  it(`keeps at most ${MAX_PENDING}: the oldest give way`, async () => {
    let now = 0;
    const store = pending(() => now);
    for (let i = 0; i <= MAX_PENDING; i += 1) {
      now = i;
      await store.put(login(`k${i}`, i));
    }
    expect(await store.take('k0', 'login')).toBeNull();
    expect((await store.take('k1', 'login'))?.key).toBe('k1');
    expect((await store.take(`k${MAX_PENDING}`, 'login'))?.key).toBe(`k${MAX_PENDING}`);
  });

  it('does not hand an end-session record out as a login', async () => {
    const store = pending(() => 0);
    await store.put({ kind: 'end-session', key: 'e', url: 'https://as.test/end', createdAt: 0 });
    expect(await store.take('e', 'login')).toBeNull();
  });
});

describe('oidcLogin options', () => {
  const base = { issuer: 'https://as.test', clientId: 'spa', redirectUri: 'https://app.test/callback' };
  it('defaults scope and refuses what it cannot use', () => {
    expect(checkLoginOptions(base)).toMatchObject({ scope: 'openid offline_access', insecure: false, allowHandoff: false, dpop: false });
    expect(checkLoginOptions({ ...base, dpop: true }).dpop).toBe(true);
    expect(() => checkLoginOptions({ ...base, dpop: 'yes' as unknown as boolean })).toThrow(/dpop must be a boolean/);
    expect(checkLoginOptions({ ...base, issuer: 'http://localhost:3000' }).insecure).toBe(true);
    expect(() => checkLoginOptions({ ...base, issuer: 'http://as.test' })).toThrow(/issuer must use https/);
    expect(() => checkLoginOptions({ ...base, scope: 'profile' })).toThrow(/openid/);
    expect(() => checkLoginOptions({ ...base, authorizationParams: { state: 'x' } })).toThrow(/must not set 'state'/);
    expect(() => checkLoginOptions({ ...base, redirectUri: 'https://app.test/callback?x=1' })).toThrow(TypeError);
    expect(() => checkLoginOptions({ ...base, postLogoutRedirectUri: 'https://evil.test/' })).toThrow(/origin of redirectUri/);
  });
});

describe('login request from a page', () => {
  it('resolves returnTo against the page and defaults to it', () => {
    expect(parseLoginPayload({ returnTo: '/inbox?x=1' }, 'https://app.test/a/b')).toEqual({ returnTo: 'https://app.test/inbox?x=1' });
    expect(parseLoginPayload(undefined, 'https://app.test/here')).toEqual({ returnTo: 'https://app.test/here' });
    expect(parseLoginPayload({ prompt: 'login', loginHint: 'a@b.test' }, 'https://app.test/')).toMatchObject({ prompt: 'login', loginHint: 'a@b.test' });
    expect(() => parseLoginPayload({ returnTo: 42 }, 'https://app.test/')).toThrow(TypeError);
    expect(() => parseLoginPayload({ loginHint: 'x'.repeat(3000) }, 'https://app.test/')).toThrow(TypeError);
  });
});

describe('user claims', () => {
  it('keeps the claims pages may see and drops protocol ones', () => {
    expect(userClaims({ sub: 'alice', email: 'a@x.test', nonce: 'n', at_hash: 'h', sid: 's', iss: 'https://as.test' })).toEqual({
      sub: 'alice',
      email: 'a@x.test',
      iss: 'https://as.test',
    });
  });
});

describe('OAuth error codes in messages', () => {
  it("keeps a code RFC 6749 allows and names anything else 'unknown'", () => {
    expect(oauthCode('invalid_grant')).toBe('invalid_grant');
    expect(oauthCode('use_dpop_nonce')).toBe('use_dpop_nonce');
    for (const value of ['say "hi"', 'back\\slash', 'line\nbreak', '', 'x'.repeat(65), undefined, 42]) expect(oauthCode(value)).toBe('unknown');
  });
});
