// The default worker with the preset for Stack Auth's REST refresh in place of oauth2Refresh, as that app
// would write its worker: it must cost only the preset itself.
import { installTokenInjector, stackAuthRefresh } from 'bearer-sw/worker';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  refresh: stackAuthRefresh({ projectId: 'p', publishableClientKey: 'pck_x' }),
});
