// What DPoP adds to a login worker (key, proofs, nonces), every export kept. oauth4webapi, whose error
// reader tells DPoP nonce challenges, is left out (check-size.mjs `external`): DPoP is reached only
// through oidcLogin, and every login worker carries it.
export * from '../../src/worker/dpop/index.ts';
