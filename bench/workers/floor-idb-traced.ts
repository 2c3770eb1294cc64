// Diagnosis only: the IndexedDB floor (variant I) with the marks of trace.ts.
import { mark } from './trace.js';
import { installFloorIdb } from './floor-idb-install.js';

mark('modulesEvaluated');
installFloorIdb();
mark('scriptEnd');
