// Variant B, the floor: the least a hand-written worker can do — set one constant header on the
// requests to the API's /v1, pass everything else through untouched (no respondWith).
import { listenLikeTheFloor } from './floor-install.js';
import { activateAtOnce } from './scope.js';

activateAtOnce();
listenLikeTheFloor();
