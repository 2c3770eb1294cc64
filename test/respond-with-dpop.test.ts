// The worker's DPoP request path and token endpoint requests (Node's WebCrypto and fetch types; the
// network is a function of the test that answers as an API or authorization server would).
import { decodeJwt } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import type { CompiledRule } from '../src/worker/api-rule.js';
import { DpopNonceMemory } from '../src/worker/dpop/dpop-nonce-memory.js';
import { generateDpopKeyPair } from '../src/worker/dpop/generate-dpop-key-pair.js';
import { respondWithDpop, type DpopFetchContext } from '../src/worker/dpop/respond-with-dpop.js';
import { sendTokenRequest } from '../src/worker/dpop/send-token-request.js';

const API = 'https://api.example.com';
const rule: CompiledRule = { origin: API, paths: null, header: 'authorization', scheme: 'Bearer', droppedOnCrossOriginRedirect: true, upgradeNoCors: false, target: null };

let keyPair: CryptoKeyPair;
beforeAll(async () => {
  keyPair = await generateDpopKeyPair();
});
afterEach(() => vi.unstubAllGlobals());

interface Sent {
  authorization: string | null;
  proof: Record<string, unknown> | null;
  body: string;
}

/** Answers each request with the next of `answers`, recording what was sent. */
function network(answers: Array<() => Response>): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (request: Request) => {
    const proof = request.headers.get('dpop');
    sent.push({ authorization: request.headers.get('authorization'), proof: proof === null ? null : decodeJwt(proof), body: await request.text() });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('an unexpected request');
    return answer();
  });
  return sent;
}

const nonceChallenge = (nonce: string) => () =>
  new Response(null, { status: 401, headers: { 'www-authenticate': 'DPoP algs="ES256", error="use_dpop_nonce"', 'dpop-nonce': nonce } });
const invalidToken = () => new Response(null, { status: 401, headers: { 'www-authenticate': 'DPoP algs="ES256", error="invalid_token"' } });
const ok = () => new Response('ok', { status: 200 });

/** A session holding `token` bound to the key; `refreshed` is what a refresh yields. */
function context(token: string, refreshed: string | null = null): DpopFetchContext & { refreshes: number } {
  let current = token;
  const result = {
    refreshes: 0,
    canRetry: true,
    log: () => undefined,
    nonces: new DpopNonceMemory(),
    session: {
      get current() {
        return { epoch: 1, tokens: { accessToken: current, dpopKey: keyPair } };
      },
      accessToken: async () => current,
      accessTokenAfterUnauthorized: async () => {
        result.refreshes += 1;
        if (refreshed === null) return null;
        current = refreshed;
        return refreshed;
      },
    },
  };
  return result;
}

describe('respondWithDpop', () => {
  it('sends the DPoP scheme and a proof for this request: htu without query or fragment, ath, a fresh jti', async () => {
    const sent = network([ok, ok]);
    const ctx = context('at-1');
    await respondWithDpop(new Request(`${API}/v1/items?page=2#top`), rule, ctx);
    await respondWithDpop(new Request(`${API}/v1/items?page=3`), rule, ctx);
    expect(sent.map((s) => s.authorization)).toEqual(['DPoP at-1', 'DPoP at-1']);
    expect(sent[0]?.proof).toMatchObject({ htm: 'GET', htu: `${API}/v1/items`, ath: expect.any(String) });
    expect(sent[0]?.proof?.['jti']).not.toBe(sent[1]?.proof?.['jti']);
  });

  it('keeps a nonce from a redirect target under that origin, not the API\'s', async () => {
    const redirected = () => {
      const response = new Response('moved', { status: 200, headers: { 'dpop-nonce': 'other-origin-nonce' } });
      Object.defineProperty(response, 'url', { value: 'https://elsewhere.example.com/landing' });
      return response;
    };
    network([redirected]);
    const ctx = context('at-1');
    await respondWithDpop(new Request(`${API}/v1/moved`), rule, ctx);
    expect(ctx.nonces.get(`${API}/v1/next`)).toBeUndefined();
    expect(ctx.nonces.get('https://elsewhere.example.com/x')).toBe('other-origin-nonce');
  });

  it("retries once with the API's nonce, the body replayed, without a refresh", async () => {
    const sent = network([nonceChallenge('n-1'), ok]);
    const ctx = context('at-1', 'at-2');
    const response = await respondWithDpop(new Request(`${API}/v1/notes`, { method: 'POST', body: 'a note' }), rule, ctx);
    expect(response.status).toBe(200);
    expect(sent.map((s) => [s.body, s.proof?.['nonce']])).toEqual([['a note', undefined], ['a note', 'n-1']]);
    expect(ctx.refreshes).toBe(0);
    expect(ctx.nonces.get(API)).toBe('n-1');
  });

  it('a second nonce challenge goes to the page as it is', async () => {
    const sent = network([nonceChallenge('n-1'), nonceChallenge('n-2')]);
    const ctx = context('at-1', 'at-2');
    const response = await respondWithDpop(new Request(`${API}/v1/x`), rule, ctx);
    expect(response.status).toBe(401);
    expect(response.headers.get('dpop-nonce')).toBe('n-2');
    expect(sent).toHaveLength(2);
    expect(ctx.refreshes).toBe(0);
  });

  it('an invalid token: one refresh and a retry with the new token; then the nonce the API asks for', async () => {
    const sent = network([invalidToken, nonceChallenge('n-1'), ok]);
    const ctx = context('at-1', 'at-2');
    const response = await respondWithDpop(new Request(`${API}/v1/x`, { method: 'PUT', body: 'data' }), rule, ctx);
    expect(response.status).toBe(200);
    expect(sent.map((s) => [s.authorization, s.body, s.proof?.['nonce']])).toEqual([
      ['DPoP at-1', 'data', undefined],
      ['DPoP at-2', 'data', undefined],
      ['DPoP at-2', 'data', 'n-1'],
    ]);
    expect(ctx.refreshes).toBe(1);
  });

  it('a second invalid token after the refresh goes to the page: no second refresh', async () => {
    const sent = network([invalidToken, invalidToken]);
    const ctx = context('at-1', 'at-2');
    expect((await respondWithDpop(new Request(`${API}/v1/x`), rule, ctx)).status).toBe(401);
    expect(sent).toHaveLength(2);
    expect(ctx.refreshes).toBe(1);
  });
});

describe('respondWithDpop with per-API tokens', () => {
  it("a rule's resource token is sent with a proof made with the session's key", async () => {
    const sent = network([ok]);
    const target = { parameter: 'resource' as const, value: 'https://other.example.com' };
    const asked: unknown[] = [];
    const ctx: DpopFetchContext = {
      canRetry: true,
      log: () => undefined,
      nonces: new DpopNonceMemory(),
      session: {
        current: { epoch: 1, tokens: { accessToken: 'at-default', dpopKey: keyPair, resources: { [target.value]: { accessToken: 'at-other' } } } },
        accessToken: async (t) => {
          asked.push(t);
          return t === undefined ? 'at-default' : 'at-other';
        },
        accessTokenAfterUnauthorized: async () => null,
      },
    };
    await respondWithDpop(new Request('https://other.example.com/v1/x'), { ...rule, origin: 'https://other.example.com', target }, ctx);
    expect(asked).toEqual([target]);
    expect(sent.map((s) => [s.authorization, typeof s.proof?.['ath']])).toEqual([['DPoP at-other', 'string']]);
  });

  it('a token that is no longer the session\'s goes out as Bearer (the core path): no proof from another key', async () => {
    const sent = network([ok]);
    const ctx = context('at-1');
    const stale: DpopFetchContext = { ...ctx, session: { ...ctx.session, current: { epoch: 2, tokens: { accessToken: 'at-new', dpopKey: keyPair } }, accessToken: async () => 'at-1' } };
    await respondWithDpop(new Request(`${API}/v1/x`), rule, stale);
    expect(sent.map((s) => [s.authorization, s.proof])).toEqual([['Bearer at-1', null]]);
  });
});

describe('sendTokenRequest', () => {
  const endpoint = 'https://as.example.com/token?x=1';
  const asNonce = (nonce: string) => () =>
    new Response(JSON.stringify({ error: 'use_dpop_nonce' }), { status: 400, headers: { 'content-type': 'application/json', 'dpop-nonce': nonce } });

  it('proves POST to the endpoint, learns the nonce from a 400 use_dpop_nonce and retries once', async () => {
    const answers = [asNonce('as-1'), () => new Response('{}', { status: 200, headers: { 'dpop-nonce': 'as-2' } })];
    const proofs: Array<Record<string, unknown>> = [];
    const nonces = new DpopNonceMemory();
    const response = await sendTokenRequest(keyPair, nonces, endpoint, async (headers) => {
      proofs.push(decodeJwt(headers['dpop'] ?? ''));
      return (answers.shift() as () => Response)();
    });
    expect(response.status).toBe(200);
    expect(proofs.map((p) => [p['htm'], p['htu'], p['nonce'], 'ath' in p])).toEqual([
      ['POST', 'https://as.example.com/token', undefined, false],
      ['POST', 'https://as.example.com/token', 'as-1', false],
    ]);
    expect(nonces.get(endpoint)).toBe('as-2');
  });

  it('a second challenge is returned as it is', async () => {
    const answers = [asNonce('as-1'), asNonce('as-2')];
    let calls = 0;
    const response = await sendTokenRequest(keyPair, new DpopNonceMemory(), endpoint, async () => {
      calls += 1;
      return (answers.shift() as () => Response)();
    });
    expect([response.status, calls]).toEqual([400, 2]);
  });
});
