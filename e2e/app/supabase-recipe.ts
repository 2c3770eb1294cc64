// The README's Supabase recipe, page side, with the real @supabase/supabase-js: loaded on demand
// by the harness so other scenarios do not load it.
import { createClient } from '@supabase/supabase-js';
import type { Session } from 'bearer-sw/client';

/** Project URL and public key, as an app has them. */
export interface SupabaseProject {
  url: string;
  apiKey: string;
}

/**
 * Signs in with supabase-js configured to neither persist nor refresh the session, hands the
 * session to the worker, and keeps nothing: the worker refreshes from now on.
 */
export async function signInAndHandOff(session: Session, project: SupabaseProject, email: string, password: string): Promise<{ userId: string }> {
  const auth = createClient(project.url, project.apiKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { data, error } = await auth.auth.signInWithPassword({ email, password });
  if (error !== null || data.session === null) throw new Error(`Failed to sign in with supabase-js: ${error?.message ?? 'no session'}`);
  await session.handoff({
    accessToken: data.session.access_token,
    refreshToken: data.session.refresh_token,
    expiresIn: data.session.expires_in,
  });
  return { userId: data.user.id };
}

/**
 * A supabase-js client whose requests carry the worker's token: it holds no session
 * (`accessToken` returns none, so `supabase.auth` is off and nothing in the page refreshes), and
 * its `fetch` drops the `Authorization` supabase-js would fill with the project key, so the worker
 * sets the user's token on `/rest/v1`, `/storage/v1` and `/functions/v1`.
 */
export function dataClient(project: SupabaseProject) {
  return createClient(project.url, project.apiKey, {
    accessToken: async () => null,
    global: {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.delete('authorization');
        return fetch(input, { ...init, headers });
      },
    },
  });
}

/** `select *` from `table` through {@link dataClient}. */
export async function selectAll(project: SupabaseProject, table: string): Promise<{ status: number; rows: unknown; error: string | null }> {
  const { data, error, status } = await dataClient(project).from(table).select('*');
  return { status, rows: data, error: error?.message ?? null };
}
