// The default worker with the preset for Supabase Auth's refresh grant in place of oauth2Refresh, as that app
// would write its worker: it must cost only the preset itself.
import { installTokenInjector, supabaseRefresh } from 'bearer-sw/worker';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  refresh: supabaseRefresh({ url: 'https://x.supabase.co', apiKey: 'sb_publishable_x' }),
});
