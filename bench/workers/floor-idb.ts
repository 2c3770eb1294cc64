// Variant I, the IndexedDB floor: the floor, except that it keeps its token in IndexedDB as any
// worker must that survives being stopped, reading it once per start — the reference for
// bearer-sw's first request after a stop.
import { installFloorIdb } from './floor-idb-install.js';

installFloorIdb();
