import type { ApiAnswer } from '../server/demo-api.js';
import type { DemoConfig } from '../demo-config.js';
import type { CallOutcome, CallTarget } from './demo-page-api.js';

/**
 * One plain `fetch()`, exactly as app code would write it: no header, no token. The worker adds the token when the
 * URL is on its allowlist. The query says which tab sent it, for the server's records.
 */
export async function callServer(config: DemoConfig, tab: string, target: CallTarget, path: string): Promise<CallOutcome> {
  const origin = target === 'api' ? config.apiOrigin : config.thirdPartyOrigin;
  const url = new URL(path, origin);
  url.searchParams.set('tab', tab);
  try {
    const response = await fetch(url, { cache: 'no-store' });
    const answer = (await response.json().catch(() => null)) as ApiAnswer | null;
    return { target, path, status: response.status, token: answer?.token ?? null };
  } catch (error) {
    return { target, path, status: 0, token: null, error: error instanceof Error ? error.message : String(error) };
  }
}
