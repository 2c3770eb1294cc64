// Reference for the diagnosis: the best static routes can do — one trivial route that sends every
// request to the network — beside a fetch listener that never answers.
import { activateAtOnce, scope } from './scope.js';

scope.addEventListener('install', (event) => {
  // not(or()) holds for every request.
  const routes = event.addRoutes?.([{ condition: { not: { or: [] } }, source: 'network' }]);
  if (routes) event.waitUntil(routes);
});
activateAtOnce();
scope.addEventListener('fetch', () => undefined);
