// registerTokenInjector() without a script URL: it reads what bearerSw() (bearer-sw/vite) wrote
// into the page. The registration itself runs in real browsers (e2e/examples-vite-spa.spec.ts);
// here only the page's <meta> → register() mapping and the error without one.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTokenInjector } from '../src/client/register-token-injector.js';
import { BearerSwError } from '../src/shared/errors.js';

afterEach(() => vi.unstubAllGlobals());

function pageWith(meta: { content: string; dataset: Record<string, string> } | null) {
  const register = vi.fn(async () => Promise.reject(new Error('stop here')));
  vi.stubGlobal('document', { querySelector: (selector: string) => (selector === 'meta[name=bearer-sw]' ? meta : null) });
  vi.stubGlobal('navigator', { serviceWorker: { register } });
  return register;
}

describe('registerTokenInjector() without a script URL', () => {
  it("registers the plugin's URL and scope, as a classic worker", async () => {
    const register = pageWith({ content: '/app/sw.js', dataset: { scope: '/app/' } });
    await expect(registerTokenInjector()).rejects.toThrow('Failed to register the token injector: stop here');
    expect(register).toHaveBeenCalledWith('/app/sw.js', { scope: '/app/' });
  });

  it('lets options given by the app win over the meta tag', async () => {
    const register = pageWith({ content: '/sw.js', dataset: { scope: '/' } });
    await expect(registerTokenInjector(undefined, { scope: '/inner/', timeout: 5000 })).rejects.toThrow(BearerSwError);
    expect(register).toHaveBeenCalledWith('/sw.js', { scope: '/inner/', timeout: 5000 });
  });

  it('fails with invalid-argument when the page has no bearerSw() meta tag', async () => {
    const register = pageWith(null);
    const error = await registerTokenInjector().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BearerSwError);
    expect(error).toMatchObject({ code: 'invalid-argument', message: 'Failed to register the token injector: no script URL, and no bearerSw() meta tag' });
    expect(register).not.toHaveBeenCalled();
  });
});
