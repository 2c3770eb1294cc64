/**
 * DPoP (RFC 9449) for the worker: the session's key pair, proofs, and servers' nonces. Not imported by
 * `src/worker/index.ts`: a worker without DPoP does not carry it.
 */
export { generateDpopKeyPair } from './generate-dpop-key-pair.js';
export { createDpopProof, type ProofRequest } from './create-dpop-proof.js';
export { DpopNonceMemory } from './dpop-nonce-memory.js';
export { isDpopNonceChallenge } from './is-dpop-nonce-challenge.js';
