/**
 * What the app server prepends to each bench worker script as `self.BENCH = {…}`: the origins and
 * token of this run, so one build serves every port.
 */
export interface BenchWorkerConfig {
  /** Origin of the API (`http://api.test:<port>`). */
  api: string;
  /** Origin of the app itself. */
  app: string;
  /** Variant B: the constant `Authorization` value it sets. */
  authorization: string;
  /** Variant C: the token endpoint its `oauth2Refresh` calls. */
  tokenEndpoint: string;
  /** Variant C: the OAuth client id. */
  clientId: string;
  /** Variant C: count IndexedDB calls and answer `{ benchIdb: true }` messages with the counts. */
  instrument: boolean;
  /** Variant C: `staticRoutes` of the config (`?routes=0` turns them off, for the diagnosis). */
  staticRoutes: boolean;
}

/** Reads `self.BENCH`. */
export function benchConfig(): BenchWorkerConfig {
  return (globalThis as unknown as { BENCH: BenchWorkerConfig }).BENCH;
}
