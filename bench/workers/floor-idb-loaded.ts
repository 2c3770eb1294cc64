// Reference for the diagnosis, not a variant of the benchmark: floor-idb (the floor, its token read
// from IndexedDB once per start), which also loads bearer-sw's whole worker bundle (idb, jose's
// decodeJwt, workbox-core and bearer-sw's own code) without installing it. Against floor-idb it
// shows what loading that much script costs a start; against C, what installing it costs on top.
import * as bearerSw from 'bearer-sw/worker';
import { installFloorIdb } from './floor-idb-install.js';

installFloorIdb();
// Kept reachable, so the bundler cannot drop the module.
(globalThis as unknown as { bearerSwLoaded: unknown }).bearerSwLoaded = bearerSw;
