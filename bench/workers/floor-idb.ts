// Reference for the diagnosis, not a variant of the benchmark: the floor, except that it keeps
// its token in IndexedDB as any worker must that survives being stopped — so the cost of reading
// it once after a start shows apart from everything else bearer-sw does.
import { installFloorIdb } from './floor-idb-install.js';

installFloorIdb();
