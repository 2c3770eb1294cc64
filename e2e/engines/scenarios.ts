/**
 * The core end-to-end scenarios, written once and run unchanged in Chromium, Firefox and WebKit
 * (`run-engines.ts`). Every step runs in the test page (`window.harness` of `e2e/app/main.ts`);
 * every assertion is on what the servers received or what a tab observed.
 */
import assert from 'node:assert/strict';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { verifyRequest } from '../../src/server/index.js';
import { loginWithCodeFlow, type TokenSet } from '../../stack/code-flow.js';
import type { ReceivedRequest } from '../support/recording-server.js';
import { mintToken } from '../support/tokens.js';
import type { Tab } from './engine-driver.js';
import { exampleScenarios } from './example-scenarios.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { poll, sleep } from './wait.js';

/** What the test worker's probe (`e2e/app/sw.ts`) answers. */
interface WorkerProbe {
  /** Random per start of the worker script: a new value means the worker was restarted. */
  instance: string;
  scriptURL: string;
  hasLocks: boolean;
  /** Whether the package's classic build (`self.bearerSw`) is loaded in the worker. */
  classicLibrary: boolean;
}

const show = (value: unknown) => JSON.stringify(value);

async function register(tab: Tab, options: { classic?: boolean } = {}): Promise<void> {
  const result = await tab.run('register', options);
  assert.ok(result.ok && result.controlled, `register: ${show(result)}`);
}

/** Registers, then hands over a fresh test token (HS256, verified by the API); returns it. */
async function signIn(tab: Tab, options: { classic?: boolean; sub?: string } = {}): Promise<string> {
  await register(tab, options);
  const token = await mintToken({ sub: options.sub ?? 'user-1' });
  const result = await tab.run('handoff', { accessToken: token, expiresIn: 300 });
  assert.ok(result.ok && result.state === 'authenticated', `handoff: ${show(result)}`);
  return token;
}

async function probeWorker(tab: Tab): Promise<WorkerProbe> {
  const reply = await tab.run('postRaw', { bearerSwTestProbe: true }, { waitMs: 5000 });
  assert.ok(typeof reply === 'object' && reply !== null && 'instance' in reply, `worker probe: ${show(reply)}`);
  return reply as WorkerProbe;
}

async function fetchOk(tab: Tab, url: string, init: RequestInit = {}): Promise<void> {
  const outcome = await tab.run('fetch', url, init);
  assert.ok(outcome.ok && outcome.status === 200, `fetch ${url}: ${show(outcome)}`);
}

/** The tokens the API received on requests whose path is `path`, in order. */
function tokensAt(context: ScenarioContext, path: string): Array<string | null> {
  return context.env.api.requests((r) => r.url === path).map((r) => r.token);
}

function sessionInvalidEvents(tab: Tab) {
  return tab.read('events').then((events) => events.filter((e) => e.type === 'session-invalid'));
}

/** How long the worker is told a provider's access token lives: long enough for the steps before expiry on a loaded machine. */
const SHORT_EXPIRY_S = 4;

/**
 * Logs in at the provider over the real code flow and hands the tokens to the worker, saying the
 * access token expires in {@link SHORT_EXPIRY_S} s; returns them and a time safely past that expiry.
 */
async function signInWithProvider(context: ScenarioContext, tab: Tab, username: string): Promise<{ login: TokenSet; expiredAt: number }> {
  const login = await loginWithCodeFlow(context.env.oidc, { username });
  const handedAt = Date.now();
  const result = await tab.run('handoff', { accessToken: login.accessToken, refreshToken: login.refreshToken, expiresIn: SHORT_EXPIRY_S });
  assert.ok(result.ok && result.state === 'authenticated', `handoff: ${show(result)}`);
  return { login, expiredAt: handedAt + SHORT_EXPIRY_S * 1000 + 500 };
}

function injection(worker: 'module' | 'classic'): Scenario {
  return {
    name: `injection: Bearer under /v1, raw x-api-token under /custom (${worker} worker)`,
    async run(context) {
      const tab = await context.openApp();
      const token = await signIn(tab, { classic: worker === 'classic', sub: 'alice' });
      const probe = await probeWorker(tab);
      if (worker === 'classic') {
        assert.ok(probe.scriptURL.endsWith('/sw-classic.js') && probe.classicLibrary, `classic worker on the IIFE build: ${show(probe)}`);
      } else {
        assert.ok(probe.scriptURL.endsWith('/sw.js') && !probe.classicLibrary, `module worker: ${show(probe)}`);
      }

      const api = context.env.api.origin();
      await fetchOk(tab, `${api}/v1/me`);
      await fetchOk(tab, `${api}/custom/me`);
      const [v1] = context.env.api.requests((r) => r.url === '/v1/me');
      const [custom] = context.env.api.requests((r) => r.url === '/custom/me');
      assert.equal(v1?.headers.authorization, `Bearer ${token}`);
      assert.equal(v1?.headers['x-api-token'], undefined);
      assert.ok(v1?.verification?.ok && v1.verification.sub === 'alice', `the API accepted the token: ${show(v1?.verification)}`);
      assert.equal(custom?.headers['x-api-token'], token);
      assert.equal(custom?.headers.authorization, undefined);
    },
  };
}

const noTokenElsewhere: Scenario = {
  name: 'no token to an origin or a path the allowlist does not name',
  async run(context) {
    const { api, otherApi, app } = context.env;
    const tab = await context.openApp();
    const token = await signIn(tab);
    const port = api.port;
    const urls = [
      `http://evil.test:${port}/v1/a`, // another host, same port
      `http://api.test.evil.test:${port}/v1/b`, // suffix look-alike
      `http://evil-api.test:${port}/v1/c`,
      `http://127.0.0.1:${port}/v1/d`, // the same server by address: another origin
      `${otherApi.origin('api.test')}/v1/e`, // another port
      `http://api.test:${port}/v10`,
      `http://api.test:${port}/V1/f`,
      `http://api.test:${port}/customer`,
      `http://api.test:${port}/x/v1/g`,
    ];
    for (const url of urls) await fetchOk(tab, url);
    await fetchOk(tab, `${app.origin}/index.html`);

    const seen = [...api.requests(), ...otherApi.requests()].map((r) => `${r.host}${r.url}`);
    for (const url of urls) assert.ok(seen.includes(new URL(url).host + new URL(url).pathname), `the server saw ${url}: ${show(seen)}`);
    assert.deepEqual(api.leaks([token]), []);
    assert.deepEqual(otherApi.leaks([token]), []);
  },
};

const noTokenOnNavigation: Scenario = {
  name: 'no token on a navigation or a markup request to the API',
  async run(context) {
    const { api } = context.env;
    const tab = await context.openApp();
    const token = await signIn(tab);
    const base = api.origin('api.test');
    assert.equal(await tab.run('loadElement', 'img', `${base}/v1/pic.png`), 'load');
    assert.equal(await tab.run('loadElement', 'script', `${base}/v1/s.js`), 'load');
    await tab.goto(`${base}/v1/navigated`);

    const seen = api.requests().map((r) => r.url);
    for (const path of ['/v1/pic.png', '/v1/s.js', '/v1/navigated']) assert.ok(seen.includes(path), `the API saw ${path}: ${show(seen)}`);
    assert.deepEqual(api.leaks([token]), []);
  },
};

const workerRestart: Scenario = {
  name: 'tokens survive the worker being stopped',
  async run(context) {
    const tab = await context.openApp();
    const token = await signIn(tab);
    const before = await probeWorker(tab);
    await context.stopWorkers();
    await fetchOk(tab, `${context.env.api.origin()}/v1/after-stop`);
    const after = await probeWorker(tab);
    assert.notEqual(after.instance, before.instance, 'a new worker instance answers after the stop');
    assert.deepEqual(tokensAt(context, '/v1/after-stop'), [token]);
  },
};

function dedupedRefresh(variant: 'module worker with Web Locks' | 'classic worker without Web Locks'): Scenario {
  const legacy = variant === 'classic worker without Web Locks';
  return {
    name: `one refresh on expiry for several parallel fetches (${variant})`,
    async run(context) {
      const { api, tokenProxy } = context.env;
      context.useConfig({ ...context.env.refreshConfig(), refreshLeewaySeconds: 0, ...(legacy && { hideLocks: true }) });
      const tab = await context.openApp();
      await register(tab, { classic: legacy });
      const before = await probeWorker(tab);
      assert.equal(before.hasLocks, !legacy, `navigator.locks in the worker: ${show(before)}`);
      assert.equal(before.classicLibrary, legacy, `worker kind: ${show(before)}`);

      const username = `parallel-${context.engine}-${legacy ? 'legacy' : 'modern'}`;
      const { login, expiredAt } = await signInWithProvider(context, tab, username);
      const callsBefore = tokenProxy.refreshCalls;
      await fetchOk(tab, `${api.origin()}/v1/before-expiry`);
      assert.deepEqual(tokensAt(context, '/v1/before-expiry'), [login.accessToken]);
      assert.equal(tokenProxy.refreshCalls, callsBefore, 'no refresh before expiry');

      await sleep(expiredAt - Date.now());
      const paths = ['/v1/p1', '/v1/p2', '/v1/p3', '/custom/p4', '/custom/p5', '/v1/p6'];
      const outcomes = await tab.run('fetchMany', paths.map((path) => `${api.origin()}${path}`));
      assert.ok(outcomes.every((o) => o.ok && o.status === 200), `parallel fetches: ${show(outcomes)}`);

      assert.equal(tokenProxy.refreshCalls - callsBefore, 1, 'exactly one refresh call reached the token endpoint');
      assert.equal(tokenProxy.refreshBodies.at(-1), login.refreshToken, 'it spent the handed-over refresh token');
      const received = paths.map((path) => api.requests((r) => r.url === path)[0]);
      const tokens = new Set(received.map((r) => r?.token ?? null));
      assert.equal(tokens.size, 1, `every parallel request carried the same token: ${show(received.map((r) => r?.url))}`);
      assert.ok(!tokens.has(login.accessToken) && !tokens.has(null), 'a new access token, not the expired one');
      for (const r of received as ReceivedRequest[]) {
        assert.ok(r.verification?.ok && r.verification.sub === username, `the API accepted ${r.url}: ${show(r.verification)}`);
      }
      const after = await probeWorker(tab);
      assert.equal(after.instance, before.instance, 'one worker instance did it all');
      assert.equal(await tab.run('state'), 'authenticated');
    },
  };
}

const retryWithBody: Scenario = {
  name: 'a 401 for a POST: one refresh, one retry with the same body; a DELETE without body stays without',
  async run(context) {
    const { api, tokenProxy } = context.env;
    context.useConfig({ ...context.env.refreshConfig(), refreshLeewaySeconds: 0 });
    const tab = await context.openApp();
    await register(tab);
    const { login } = await signInWithProvider(context, tab, `retry-${context.engine}`);
    const callsBefore = tokenProxy.refreshCalls;

    // The worker reads the body once before the first send; both sends must carry it.
    const body = JSON.stringify({ order: 42, note: 'é✓' });
    const post = await tab.run('fetch', `${api.origin()}/v1/status/401`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.ok(post.ok && post.status === 401, `the second 401 reaches the page: ${show(post)}`);
    const attempts = api.requests((r) => r.url === '/v1/status/401');
    assert.deepEqual(
      attempts.map((r) => [r.method, r.body, r.headers['content-type']]),
      [['POST', body, 'application/json'], ['POST', body, 'application/json']],
    );
    assert.equal(attempts[0]?.token, login.accessToken);
    assert.ok(attempts[1]?.verification?.ok && attempts[1].token !== login.accessToken, `the retry carried a new token: ${show(attempts[1]?.verification)}`);
    assert.equal(tokenProxy.refreshCalls - callsBefore, 1, 'one refresh for the 401');

    await fetchOk(tab, `${api.origin()}/v1/items/7`, { method: 'DELETE' });
    const [deleted] = api.requests((r) => r.url === '/v1/items/7');
    assert.equal(deleted?.method, 'DELETE');
    assert.equal(deleted?.body, '');
    assert.equal(deleted?.headers['content-type'], undefined);
    assert.ok(deleted?.verification?.ok, `the API accepted the DELETE: ${show(deleted?.verification)}`);
  },
};

const definitiveRefreshFailure: Scenario = {
  name: 'session-invalid once in every tab on a definitive refresh failure',
  async run(context) {
    const { api, oidc, tokenProxy } = context.env;
    context.useConfig({ ...context.env.refreshConfig(), refreshLeewaySeconds: 0 });
    const a = await context.openApp();
    await register(a);
    const { login, expiredAt } = await signInWithProvider(context, a, `revoked-${context.engine}`);
    const b = await context.openApp();
    await register(b);
    assert.equal(await b.run('state'), 'authenticated');
    await fetchOk(a, `${api.origin()}/v1/before-revoke`);
    assert.deepEqual(tokensAt(context, '/v1/before-revoke'), [login.accessToken]);

    assert.ok((await oidc.revokeAllGrants()) >= 1, 'the grant was revoked');
    await sleep(expiredAt - Date.now());
    const callsBefore = tokenProxy.refreshCalls;
    await fetchOk(a, `${api.origin()}/v1/after-revoke`);
    assert.equal(tokenProxy.refreshCalls - callsBefore, 1, 'one refresh was tried');
    assert.deepEqual(tokensAt(context, '/v1/after-revoke'), [null], 'the request went out without a token');

    for (const [label, tab] of [['a', a], ['b', b]] as const) {
      const invalid = await poll(() => sessionInvalidEvents(tab), (events) => events.length > 0, { what: `session-invalid in tab ${label}` });
      assert.equal(invalid.length, 1, `tab ${label}: ${show(invalid)}`);
      assert.equal(invalid[0]?.reason, 'refresh-rejected');
      assert.equal(await tab.run('state'), 'unauthenticated');
    }
    await fetchOk(b, `${api.origin()}/custom/after-invalid`);
    assert.deepEqual(tokensAt(context, '/custom/after-invalid'), [null]);
    assert.equal(tokenProxy.refreshCalls - callsBefore, 1, 'no further refresh after the session ended');
    assert.equal((await sessionInvalidEvents(a)).length, 1, 'still once in tab a');
  },
};

const logout: Scenario = {
  name: 'logout in one tab ends the session in every tab',
  async run(context) {
    const { api } = context.env;
    const a = await context.openApp();
    const token = await signIn(a);
    const b = await context.openApp();
    await register(b);
    assert.equal(await b.run('state'), 'authenticated');

    const result = await a.run('logout');
    assert.ok(result.ok && result.state === 'unauthenticated', `logout: ${show(result)}`);
    await poll(() => b.run('state'), (state) => state === 'unauthenticated', { what: 'tab b unauthenticated' });
    const events = await b.read('events');
    assert.deepEqual(events.map((e) => `${e.type}:${e.state}`), ['statechange:unauthenticated']);

    await fetchOk(b, `${api.origin()}/v1/after-logout-b`);
    await fetchOk(a, `${api.origin()}/custom/after-logout-a`);
    assert.deepEqual(tokensAt(context, '/v1/after-logout-b'), [null]);
    assert.deepEqual(tokensAt(context, '/custom/after-logout-a'), [null]);
    assert.deepEqual(api.leaks([token]).filter((r) => r.url.includes('after-logout')), []);
  },
};

const malformedHandoff: Scenario = {
  name: 'a malformed handoff is refused with a TypeError and changes nothing',
  async run(context) {
    const tab = await context.openApp();
    const token = await signIn(tab);
    const eventsBefore = (await tab.read('events')).length;
    const cases: Array<[unknown, RegExp]> = [
      ['just-a-string', /expected an object/],
      [{}, /accessToken or a refreshToken is required/],
      [{ accessToken: 123 }, /accessToken must be a string/],
      [{ accessToken: 'ok', expiresIn: 'soon' }, /expiresIn must be a finite number/],
      [{ accessToken: 'a\nb' }, /not allowed in an HTTP header/],
      [{ access_token: 'ok' }, /did you mean 'accessToken'/],
    ];
    for (const [input, message] of cases) {
      const result = await tab.run('handoff', input);
      assert.ok(!result.ok && result.name === 'TypeError' && message.test(result.message), `handoff(${show(input)}): ${show(result)}`);
    }
    assert.equal(await tab.run('state'), 'authenticated');
    assert.equal((await tab.read('events')).length, eventsBefore);
    await fetchOk(tab, `${context.env.api.origin()}/v1/still`);
    assert.deepEqual(tokensAt(context, '/v1/still'), [token]);
  },
};

/**
 * One step through the provider's development pages, run in the tab whatever page it shows: fills
 * the login form (any password) or confirms consent, submitting each form once. Says `done` once
 * the tab is back on the app.
 */
const PROVIDER_STEP = `async (appOrigin, username) => {
  if (location.origin === appOrigin) return JSON.stringify({ onApp: true, done: document.readyState === 'complete' });
  const form = document.readyState === 'complete' ? document.querySelector('form') : null;
  if (!form || form.dataset.submitted) return JSON.stringify({ waiting: location.pathname });
  const login = form.querySelector('input[name="login"]');
  if (login) {
    login.value = username;
    form.querySelector('input[name="password"]').value = 'any password';
  }
  form.dataset.submitted = 'yes';
  setTimeout(() => form.submit(), 0);
  return JSON.stringify({ submitted: location.pathname });
}`;

/**
 * Drives the tab, which is on its way to the provider, through it until it is back on the app (a
 * driver call may fail mid-navigation: retried).
 */
async function throughProvider(context: ScenarioContext, tab: Tab, username: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  let left = false;
  while (Date.now() < deadline) {
    type Step = { onApp?: boolean; done?: boolean; waiting?: string; submitted?: string };
    const step = await tab.evaluate<Step>(PROVIDER_STEP, context.env.app.origin, username).catch((): Step => ({}));
    if (step.waiting !== undefined || step.submitted !== undefined) left = true;
    if (left && step.done === true) return;
    await sleep(250);
  }
  throw new Error('Failed to log in at the provider: the tab did not come back to the app within 45 s');
}

const workerLogin: Scenario = {
  name: 'login in the worker: tab B follows, the API sees the token, no tab holds a credential, pages are refused at the token endpoint, a forged response ends in login-failed',
  async run(context) {
    const { env } = context;
    const record = env.oidc.record;
    const before = { issued: record.issued.length, codes: record.codes.length, verifiers: record.verifiers.length, revocations: record.revocations.length };
    context.useConfig({
      ...env.defaultConfig(),
      login: {
        issuer: env.oidc.issuer,
        clientId: env.oidc.clientId,
        redirectUri: `${env.app.origin}/callback`,
        scope: 'openid offline_access profile api:read',
        authorizationParams: { resource: env.oidc.apiAudience, prompt: 'consent' },
      },
    });
    const b = await context.openApp('?tab=b');
    await register(b);
    const a = await context.openApp('?tab=a');
    await register(a);
    const username = `login-${context.engine}`;
    assert.ok((await a.run('login')).ok);
    await throughProvider(context, a, username);
    await register(a);
    assert.equal(await a.run('state'), 'authenticated');
    assert.equal((await a.run('user'))?.sub, username);
    await poll(async () => [(await b.run('user'))?.sub, await b.run('state')], ([sub, state]) => sub === username && state === 'authenticated', {
      what: 'tab B to follow the login',
    });

    await fetchOk(b, `${env.api.origin()}/v1/after-login`);
    // The provider's access tokens live 20 s, within the default refresh leeway: the worker may
    // already have refreshed once at the discovered token endpoint.
    const issued = record.issued.slice(before.issued);
    assert.deepEqual(issued.map((t) => t.grantType).slice(0, 1), ['authorization_code'], 'one code exchange first');
    assert.equal(issued.filter((t) => t.grantType === 'authorization_code').length, 1);
    assert.deepEqual(tokensAt(context, '/v1/after-login'), [issued.at(-1)?.accessToken]);

    const secrets = [
      ...issued.flatMap((t) => [t.accessToken, t.refreshToken, t.idToken]),
      ...record.codes.slice(before.codes).map((c) => c.code),
      ...record.verifiers.slice(before.verifiers),
    ].filter((value): value is string => typeof value === 'string');
    assert.ok(secrets.length >= 5, `access, refresh and ID token, code, verifier: ${secrets.length}`);
    for (const [name, tab] of [['A', a], ['B', b]] as const) {
      const exposed = await tab.run('exposedText');
      assert.ok(!exposed.includes(`${env.app.origin}/callback`) || !/[?&]code=/.test(exposed), `tab ${name} saw the callback URL`);
      for (const secret of secrets) assert.ok(!exposed.includes(secret), `tab ${name} can read a credential`);
    }

    const refused = await a.run('fetch', env.oidc.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&client_id=${env.oidc.clientId}&refresh_token=guess`,
    });
    assert.ok(refused.ok && refused.status === 403 && refused.body.includes('not-allowed'), `token endpoint from a page: ${show(refused)}`);

    const lastRefreshToken = record.issued.at(-1)?.refreshToken;
    assert.ok((await a.run('logout')).ok);
    await poll(async () => [await b.run('state'), await b.run('user')], ([state, user]) => state === 'unauthenticated' && user === null, {
      what: 'tab B to follow the logout',
    });
    assert.deepEqual(
      record.revocations.slice(before.revocations).map((r) => [r.token, r.status]),
      [[lastRefreshToken, 200]],
      'the refresh token was revoked at the provider',
    );

    // A provider response nobody started (a forged state): the tab lands on the scope, hears
    // login-failed, and no session begins.
    const tokenRequests = record.tokenRequests.length;
    await a.goto(`${env.app.origin}/callback?code=forged-code&state=forged-state`);
    await register(a);
    const failed = await poll(
      async () => (await a.read('events')).filter((e) => e.type === 'login-failed'),
      (events) => events.length > 0,
      { what: 'login-failed in the tab the response landed on' },
    );
    assert.deepEqual(failed.map((e) => e.code), ['login-state-invalid'], `login-failed: ${show(failed)}`);
    assert.equal(await a.run('state'), 'unauthenticated');
    assert.equal(record.tokenRequests.length, tokenRequests, 'nothing was sent to the token endpoint');
  },
};

/** What the test worker's DPoP probe (`e2e/app/dpop-probe.ts`) answers. */
type DpopProbeReply =
  | { failed: string; error: string }
  | { publicJwk: JWK; extractable: boolean; exportRefusals: Record<string, string | null>; storeError: string | null }
  | { proof: string; source: 'memory' | 'indexeddb'; extractable: boolean; exportRefusals: Record<string, string | null> };

const dpopKeyInWorker: Scenario = {
  name: 'DPoP key in the worker: ES256, private key not exportable, kept in IndexedDB across a stop; its proofs pass bearer-sw/server',
  async run(context) {
    const tab = await context.openApp();
    await register(tab);
    const created = (await tab.run('postRaw', { bearerSwTestDpop: 'create' }, { waitMs: 10_000 })) as DpopProbeReply;
    assert.ok(typeof created === 'object' && 'publicJwk' in created, `the worker made an ES256 key pair: ${show(created)}`);
    assert.equal(created.extractable, false);
    assert.ok(created.exportRefusals['pkcs8'] !== null && created.exportRefusals['jwk'] !== null, `exportKey refused the private key: ${show(created.exportRefusals)}`);
    assert.equal(created.storeError, null, `the key pair was stored in IndexedDB: ${show(created.storeError)}`);

    // An issuer of our own binds a token to the worker's key (cnf.jkt); the API-side check is bearer-sw/server.
    const issuer = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(issuer.publicKey)), kid: 'engine-issuer' }] };
    const options = { jwks, issuer: 'https://idp.engines.test', audience: context.env.api.origin() };
    const jkt = await calculateJwkThumbprint(created.publicJwk, 'sha256');
    const token = await new SignJWT({ sub: 'alice', cnf: { jkt } })
      .setProtectedHeader({ alg: 'ES256', kid: 'engine-issuer' })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setExpirationTime('5m')
      .sign(issuer.privateKey);
    const url = `${context.env.api.origin()}/v1/dpop`;
    const verifyProof = async (reply: DpopProbeReply, method: string) => {
      assert.ok(typeof reply === 'object' && 'proof' in reply, `the worker signed a proof: ${show(reply)}`);
      const request = new Request(`${url}?page=2`, { method, headers: { authorization: `DPoP ${token}`, dpop: reply.proof } });
      const result = await verifyRequest(request, options).catch((error: unknown) => error);
      assert.ok(typeof result === 'object' && result !== null && 'jkt' in result && result.jkt === jkt, `bearer-sw/server accepted the proof: ${show(result)}`);
      return reply;
    };

    const before = await probeWorker(tab);
    const first = await verifyProof(await tab.run('postRaw', { bearerSwTestDpop: 'proof', method: 'POST', url, accessToken: token }, { waitMs: 10_000 }) as DpopProbeReply, 'POST');
    assert.ok('source' in first && first.source === 'memory');
    await context.stopWorkers();
    const after = await probeWorker(tab);
    assert.notEqual(after.instance, before.instance, 'a new worker instance answers after the stop');
    const loaded = await verifyProof(await tab.run('postRaw', { bearerSwTestDpop: 'proof', method: 'GET', url, accessToken: token }, { waitMs: 10_000 }) as DpopProbeReply, 'GET');
    assert.ok('source' in loaded && loaded.source === 'indexeddb' && loaded.extractable === false, `the new instance signed with the key from IndexedDB: ${show(loaded)}`);
    assert.ok(loaded.exportRefusals['pkcs8'] !== null && loaded.exportRefusals['jwk'] !== null, `exportKey still refuses the stored key: ${show(loaded.exportRefusals)}`);
  },
};

/**
 * Reads the worker's stored DPoP key in the tab: whether the private key is extractable, what
 * `exportKey` does with it, and the public key as a JWK. An engine without WebCrypto ECDSA or
 * without CryptoKeys in IndexedDB says so here.
 */
const STORED_DPOP_KEY = `async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('bearer-sw');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const record = await new Promise((resolve, reject) => {
    const request = db.transaction('session').objectStore('session').get('current');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  const pair = record && record.tokens && record.tokens.dpopKey;
  if (!pair) return JSON.stringify({ missing: true });
  const refusals = {};
  for (const format of ['jwk', 'pkcs8']) {
    try { await crypto.subtle.exportKey(format, pair.privateKey); refusals[format] = null; }
    catch (error) { refusals[format] = error.name; }
  }
  const isKey = pair.privateKey instanceof CryptoKey;
  return JSON.stringify({ isKey, extractable: pair.privateKey.extractable, refusals, publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey) });
}`;

const workerLoginDpop: Scenario = {
  name: 'login in the worker with DPoP: a non-extractable ES256 key in IndexedDB, the code exchange with a proof, the API sees DPoP tokens bound to it with proofs, also after a worker stop',
  async run(context) {
    const { env } = context;
    const record = env.oidc.record;
    const before = { issued: record.issued.length, requests: record.tokenRequests.length };
    context.useConfig({
      ...env.defaultConfig(),
      login: {
        issuer: env.oidc.issuer,
        clientId: env.oidc.clientId,
        redirectUri: `${env.app.origin}/callback`,
        scope: 'openid offline_access profile api:read',
        authorizationParams: { resource: env.oidc.apiAudience, prompt: 'consent' },
        dpop: true,
      },
    });
    const a = await context.openApp('?tab=a');
    await register(a);
    const username = `dpop-${context.engine}`;
    assert.ok((await a.run('login')).ok);
    await throughProvider(context, a, username);
    await register(a);
    assert.equal(await a.run('state'), 'authenticated', 'the login with DPoP ended in a session (a failed one means the engine could not make or store the key)');

    const requests = record.tokenRequests.slice(before.requests).filter((r) => r.grantType === 'authorization_code');
    assert.ok(requests.length >= 1 && requests.every((r) => r.dpop), `the code exchange carried a proof: ${show(requests)}`);
    const issued = record.issued.slice(before.issued);
    assert.deepEqual(issued.map((t) => t.tokenType), issued.map(() => 'DPoP'), 'every token the login obtained is DPoP-bound');

    type StoredKey = { missing?: true; isKey: boolean; extractable: boolean; refusals: Record<string, string | null>; publicJwk: JWK };
    const stored = await a.evaluate<StoredKey>(STORED_DPOP_KEY);
    assert.ok(stored.missing !== true && stored.isKey, `a CryptoKey pair is stored with the session in IndexedDB: ${show(stored)}`);
    assert.equal(stored.extractable, false);
    assert.ok(stored.refusals['jwk'] !== null && stored.refusals['pkcs8'] !== null, `exportKey refuses the stored private key: ${show(stored.refusals)}`);
    const jkt = await calculateJwkThumbprint(stored.publicJwk, 'sha256');

    await fetchOk(a, `${env.api.origin()}/v1/dpop-login?page=1`);
    const [seen] = env.api.requests((r) => r.url === '/v1/dpop-login?page=1');
    const accessToken = record.issued.at(-1)?.accessToken;
    assert.equal(seen?.headers['authorization'], `DPoP ${accessToken}`);
    assert.ok(typeof seen?.headers['dpop'] === 'string', 'a DPoP proof went with the request');
    assert.deepEqual(
      seen?.verification?.ok === true ? [seen.verification.scheme, seen.verification.jkt] : seen?.verification,
      ['DPoP', jkt],
      'bearer-sw/server verified the proof, signed by the stored key the token is bound to',
    );

    // After a worker stop, the new instance signs with the key it reads back from IndexedDB.
    const running = await probeWorker(a);
    await context.stopWorkers();
    await fetchOk(a, `${env.api.origin()}/v1/dpop-after-stop`);
    assert.notEqual((await probeWorker(a)).instance, running.instance, 'a new worker instance answered after the stop');
    const [restarted] = env.api.requests((r) => r.url === '/v1/dpop-after-stop');
    assert.deepEqual(
      restarted?.verification?.ok === true ? [restarted.verification.scheme, restarted.verification.jkt] : restarted?.verification,
      ['DPoP', jkt],
      'after the stop, the proof is signed by the same stored key',
    );
    // WebKit's driver stops a worker by taking its pages away and loading them again: register anew.
    await register(a);

    const loggedOut = await a.run('logout');
    assert.ok(loggedOut.ok, `logout: ${show(loggedOut)}`);
    const after = await a.evaluate<{ missing?: true }>(STORED_DPOP_KEY);
    assert.equal(after.missing, true, 'the key went with the session');
  },
};

/** The one list every engine runs, in this order. */
export const scenarios: readonly Scenario[] = [
  injection('module'),
  injection('classic'),
  noTokenElsewhere,
  noTokenOnNavigation,
  workerRestart,
  dedupedRefresh('module worker with Web Locks'),
  dedupedRefresh('classic worker without Web Locks'),
  retryWithBody,
  definitiveRefreshFailure,
  logout,
  malformedHandoff,
  workerLogin,
  dpopKeyInWorker,
  workerLoginDpop,
  ...exampleScenarios,
];
