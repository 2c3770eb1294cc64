// Reference for the diagnosis: a worker without a fetch listener, which Chromium never wakes for
// a request — what "no overhead at all" looks like for a controlled page.
import { activateAtOnce } from './scope.js';

activateAtOnce();
