import type { Browser } from '@playwright/test';
import { loginWithCodeFlow } from '../stack/code-flow.js';
import { startFaultProxy, tokenEndpointVia } from '../stack/fault-proxy.js';
import { startOidcProvider } from '../stack/provider.js';
import { openBenchPage } from './support/open-page.js';
import type { BenchWorld } from './support/world.js';

/** One expiry: how many refresh calls reached the token endpoint while 3 tabs × 30 requests waited. */
export interface ExpiryResult {
  refreshCalls: number;
  /** Requests answered 200, out of tabs × perTab. */
  ok: number;
  requests: number;
  /** Distinct `Authorization` values the API received for them (1: all had the one new token). */
  distinctTokens: number;
  /** Whether that token differs from the expired one handed over. */
  tokenReplaced: boolean;
}

const TABS = 3;
const PER_TAB = 30;

/**
 * Against the real `oidc-provider` fixture behind the fault proxy (which counts refresh grants):
 * log in, hand the worker an access token that has already expired, then fire 30 parallel
 * allowlisted fetches from each of 3 tabs at once. Repeated for `expiries` expiries.
 */
export async function measureRefreshFanout(browser: Browser, world: BenchWorld, expiries: number): Promise<ExpiryResult[]> {
  const apiOrigin = world.api.origin('api.test');
  const provider = await startOidcProvider({
    appOrigin: world.app.origin,
    apiAudience: apiOrigin,
    accessTokenTtl: 600,
    redirectUri: `${world.app.origin}/callback`,
  });
  const proxy = await startFaultProxy(provider.nodeOrigin);
  world.setOidcTokenEndpoint(tokenEndpointVia(proxy, provider), provider.clientId);
  const context = await browser.newContext();
  const script = '/sw-c.js?world=oidc';
  const results: ExpiryResult[] = [];
  try {
    const tabs = [];
    for (let i = 0; i < TABS; i++) tabs.push(await openBenchPage(context, world.app.origin));
    for (const tab of tabs) await tab.evaluate((s) => window.bench.connect(s), script);

    for (let expiry = 0; expiry < expiries; expiry++) {
      const login = await loginWithCodeFlow(provider);
      // Already expired when it arrives: the next request that needs it must refresh.
      const handed = { accessToken: login.accessToken, refreshToken: login.refreshToken, expiresIn: 0 };
      await tabs[0]!.evaluate(([s, t]) => window.bench.handoff(s, t), [script, handed] as const);
      const before = proxy.refreshCalls;
      const path = `/v1/fanout-${expiry}`;
      const statuses = (await Promise.all(tabs.map((tab) => tab.evaluate(([u, n]) => window.bench.statuses(u, n), [`${apiOrigin}${path}`, PER_TAB] as const)))).flat();
      const received = world.api.authorizations(path);
      const distinct = new Set(received);
      results.push({
        refreshCalls: proxy.refreshCalls - before,
        ok: statuses.filter((s) => s === 200).length,
        requests: TABS * PER_TAB,
        distinctTokens: distinct.size,
        tokenReplaced: received.length > 0 && !distinct.has(`Bearer ${handed.accessToken}`),
      });
    }
  } finally {
    await context.close();
    await proxy.close();
    await provider.close();
  }
  return results;
}
