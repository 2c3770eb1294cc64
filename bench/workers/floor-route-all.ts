// Variant R, the route-all floor: the floor (B) plus one static route that sends every request but
// the API's /v1 to the network. Requests it routes never reach a fetch listener, yet Chromium
// still charges a controlled page something for them: the least any worker with a fetch listener
// can cost a request it does not touch, the reference for bearer-sw's non-allowlisted requests.
import { benchConfig } from './bench-config.js';
import { listenLikeTheFloor } from './floor-install.js';
import { activateAtOnce, scope } from './scope.js';

const api = new URL(benchConfig().api);
scope.addEventListener('install', (event) => {
  const condition = { not: { urlPattern: { protocol: api.protocol.slice(0, -1), hostname: api.hostname, port: api.port, pathname: '/v1/*' } } };
  const routes = event.addRoutes?.([{ condition, source: 'network' }]);
  if (routes) event.waitUntil(routes);
});
activateAtOnce();
listenLikeTheFloor();
