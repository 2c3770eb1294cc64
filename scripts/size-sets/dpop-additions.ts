// What a worker with DPoP adds (key, proofs, nonces), every export kept: not wired into a worker of
// its own until oidcLogin({ dpop: true }) uses it.
export * from '../../src/worker/dpop/index.ts';
