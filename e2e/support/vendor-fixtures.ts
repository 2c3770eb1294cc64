import type { Page } from '@playwright/test';
import { startClerkServer, type ClerkServer } from '../../stack/clerk-server.js';
import { startStackAuthServer, type StackAuthServer } from '../../stack/stack-auth-server.js';
import { startSupabaseServer, type SupabaseServer } from '../../stack/supabase-server.js';
import { expect, register, test as base } from './fixtures.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

interface VendorOptions {
  /** Access-token lifetime at the vendor, seconds. */
  vendorTokenTtl: number;
  /** `refreshLeewaySeconds` of the worker. */
  leewaySeconds: number;
}

/** A Supabase project whose `/rest/v1` is the API; the worker runs `supabaseRefresh`. */
export interface SupabaseWorld {
  server: SupabaseServer;
  /** Signs in over HTTP, registers the worker in `page` and hands the session over. */
  signIn(page: Page): Promise<{ access_token: string; refresh_token: string; expires_in: number }>;
  /** `/rest/v1/<table>` on the project. */
  restUrl(table: string): string;
}

/** A Stack Auth API, and an API of the app's that verifies Stack's JWTs from `x-stack-access-token`. */
export interface StackAuthWorld {
  server: StackAuthServer;
  api: RecordingServer;
  signIn(page: Page): Promise<{ access_token: string; refresh_token: string }>;
}

/** A Clerk Frontend API on the app's site, and an API that verifies Clerk session tokens (Bearer). */
export interface ClerkWorld {
  server: ClerkServer;
  api: RecordingServer;
  /** Signs in from `page` as Clerk's SDK does (the cookie lands on the Frontend API), registers, hands the session id over. */
  signIn(page: Page): Promise<string>;
}

export const test = base.extend<VendorOptions & { supabase: SupabaseWorld; stackAuth: StackAuthWorld; clerk: ClerkWorld }>({
  vendorTokenTtl: [4, { option: true }],
  leewaySeconds: [1, { option: true }],

  supabase: async ({ app, useConfig, vendorTokenTtl, leewaySeconds }, use) => {
    const server = await startSupabaseServer({ appOrigin: app.origin, accessTokenTtl: vendorTokenTtl });
    useConfig({
      apis: [{ origin: server.url, paths: ['/rest/v1', '/storage/v1', '/functions/v1'] }],
      supabase: { url: server.url, apiKey: server.apiKey },
      refreshLeewaySeconds: leewaySeconds,
    });
    await use({
      server,
      restUrl: (table) => `${server.url}/rest/v1/${table}`,
      async signIn(page) {
        const session = await server.signIn();
        await register(page);
        const result = await page.evaluate(
          (s) => window.harness.handoff({ accessToken: s.access_token, refreshToken: s.refresh_token, expiresIn: s.expires_in }),
          session,
        );
        expect(result, JSON.stringify(result)).toMatchObject({ ok: true, state: 'authenticated' });
        return session;
      },
    });
    await server.close();
  },

  stackAuth: async ({ app, useConfig, vendorTokenTtl, leewaySeconds }, use) => {
    const server = await startStackAuthServer({ appOrigin: app.origin, accessTokenTtl: vendorTokenTtl });
    const api = await startRecordingServer({ requireToken: true, verify: (token) => server.verify(token) });
    useConfig({
      apis: [{ origin: api.origin('api.test'), paths: ['/v1'], header: 'x-stack-access-token', scheme: null }],
      stackAuth: { projectId: server.projectId, publishableClientKey: server.publishableClientKey, baseUrl: server.url },
      refreshLeewaySeconds: leewaySeconds,
    });
    await use({
      server,
      api,
      async signIn(page) {
        const session = await server.signIn();
        await register(page);
        const result = await page.evaluate((s) => window.harness.handoff({ accessToken: s.access_token, refreshToken: s.refresh_token }), session);
        expect(result, JSON.stringify(result)).toMatchObject({ ok: true, state: 'authenticated' });
        return session;
      },
    });
    await api.close();
    await server.close();
  },

  clerk: async ({ app, useConfig, vendorTokenTtl, leewaySeconds }, use) => {
    const server = await startClerkServer({ appOrigin: app.origin, tokenTtl: vendorTokenTtl, templates: { 'orders-api': { aud: 'orders' } } });
    const api = await startRecordingServer({ requireToken: true, verify: (token) => server.verify(token) });
    useConfig({
      apis: [{ origin: api.origin('api.test'), paths: ['/v1'] }],
      clerk: { frontendApi: server.url },
      refreshLeewaySeconds: leewaySeconds,
    });
    await use({
      server,
      api,
      async signIn(page) {
        await register(page);
        // As Clerk's SDK signs in: a credentialed form POST to the Frontend API, which sets its cookie.
        const signIn = await page.evaluate(
          (url) =>
            window.harness.fetch(url, {
              method: 'POST',
              credentials: 'include',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: 'identifier=ada&password=password',
            }),
          `${server.url}/v1/client/sign_ins`,
        );
        expect(signIn, JSON.stringify(signIn)).toMatchObject({ ok: true, status: 200 });
        const sessionId = (JSON.parse((signIn as { body: string }).body) as { response: { created_session_id: string } }).response.created_session_id;
        // The session id stands in for a refresh token: the cookie is the credential.
        const result = await page.evaluate((id) => window.harness.handoff({ refreshToken: id }), sessionId);
        expect(result, JSON.stringify(result)).toMatchObject({ ok: true, state: 'authenticated' });
        return sessionId;
      },
    });
    await api.close();
    await server.close();
  },
});

export { expect, register };
