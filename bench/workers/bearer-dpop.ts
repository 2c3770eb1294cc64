// Variant D: bearer-sw with the worker's login and DPoP (oidcLogin({ dpop: true })), C's rules.
// The bench seeds the session record (a DPoP-bound token and a non-extractable key pair) in
// IndexedDB before registering, as a finished login leaves it; no login runs here, and the issuer
// (the bench app, which has no discovery document) is never needed while the token is valid.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import { createDpopProof } from '../../src/worker/dpop/create-dpop-proof.js';
import { generateDpopKeyPair } from '../../src/worker/dpop/generate-dpop-key-pair.js';
import { bearerConfig } from './bearer-config.js';
import { benchConfig } from './bench-config.js';

const bench = benchConfig();
const { refresh: _, ...config } = bearerConfig();
installTokenInjector({
  ...config,
  login: oidcLogin({ issuer: bench.app, clientId: bench.clientId, redirectUri: `${bench.app}/callback`, dpop: true }),
});

// Bench-only: where a proof's time goes, in this worker's WebCrypto. `{ benchDpopCost: n }` times the
// first proof with a new key (on a worker just started: WebCrypto's first use, the key's header
// exported), then n proofs one after the other, n bare ES256 signatures and n SHA-256 digests of a
// token, and answers the first and the mean of each in ms.
globalThis.addEventListener('message', (event) => {
  const message = event as MessageEvent<{ benchDpopCost?: number } | null>;
  const n = message.data?.benchDpopCost;
  if (typeof n !== 'number') return;
  const token = 'x'.repeat(1100);
  const bytes = new TextEncoder().encode(token);
  const time = async (step: () => Promise<unknown>) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) await step();
    return (performance.now() - start) / n;
  };
  void (async () => {
      const keyPair = await generateDpopKeyPair();
      const start = performance.now();
      await createDpopProof(keyPair, { method: 'GET', url: `${bench.api}/v1/items`, accessToken: token });
      const first = performance.now() - start;
      const proof = await time(() => createDpopProof(keyPair, { method: 'GET', url: `${bench.api}/v1/items?x=1`, accessToken: token }));
      const sign = await time(() => crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keyPair.privateKey, bytes));
      const digest = await time(() => crypto.subtle.digest('SHA-256', bytes));
      message.ports[0]?.postMessage({ first, proof, sign, digest });
  })();
});
