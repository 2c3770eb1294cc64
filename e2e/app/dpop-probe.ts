// Test-only, not part of the library: runs the worker's DPoP primitives (src/worker/dpop) inside the test
// app's service worker, so the engine scenarios can check what each engine's WebCrypto and IndexedDB do
// with a non-extractable ES256 key there, before the worker's login wires DPoP in.
import { createDpopProof, generateDpopKeyPair } from '../../src/worker/dpop/index.js';

/** What the page asks: make and store a key pair, or sign a proof with the stored one. */
export type DpopProbeRequest =
  | { bearerSwTestDpop: 'create' }
  | { bearerSwTestDpop: 'proof'; method: string; url: string; accessToken: string };

const DATABASE = 'bearer-sw-test-dpop';
let inMemory: CryptoKeyPair | null = null;

function database(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DATABASE, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('keys');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function transact<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await database();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction('keys', mode);
      const request = body(transaction.objectStore('keys'));
      transaction.oncomplete = () => resolve(request.result as T);
      transaction.onerror = () => reject(transaction.error ?? request.error);
      transaction.onabort = () => reject(transaction.error ?? new Error('aborted'));
    });
  } finally {
    db.close();
  }
}

/** How `crypto.subtle.exportKey` fails for the private key in each format (`null`: it did not fail). */
async function exportRefusals(privateKey: CryptoKey): Promise<Record<string, string | null>> {
  const refusals: Record<string, string | null> = {};
  for (const format of ['pkcs8', 'jwk'] as const) {
    refusals[format] = await crypto.subtle.exportKey(format, privateKey).then(
      () => null,
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    );
  }
  return refusals;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

async function answer(request: DpopProbeRequest): Promise<unknown> {
  if (request.bearerSwTestDpop === 'create') {
    let keyPair: CryptoKeyPair;
    try {
      keyPair = await generateDpopKeyPair();
    } catch (error) {
      return { failed: 'generate', error: describe(error) };
    }
    inMemory = keyPair;
    const publicJwk = await crypto.subtle.exportKey('jwk', keyPair.publicKey);
    const stored = await transact('readwrite', (store) => store.put(keyPair, 'current')).then(
      () => null,
      (error: unknown) => describe(error),
    );
    return { publicJwk, extractable: keyPair.privateKey.extractable, exportRefusals: await exportRefusals(keyPair.privateKey), storeError: stored };
  }
  const source = inMemory === null ? 'indexeddb' : 'memory';
  const keyPair = inMemory ?? (await transact<CryptoKeyPair | undefined>('readonly', (store) => store.get('current')));
  if (keyPair === undefined) return { failed: 'load', error: 'no key pair stored' };
  inMemory = keyPair;
  const proof = await createDpopProof(keyPair, { method: request.method, url: request.url, accessToken: request.accessToken });
  return { proof, source, extractable: keyPair.privateKey.extractable, exportRefusals: await exportRefusals(keyPair.privateKey) };
}

/** Answers `bearerSwTestDpop` messages on the port they bring; ignores everything else. */
export function installDpopProbe(scope: { addEventListener(type: 'message', listener: (event: MessageEvent) => void): void }): void {
  scope.addEventListener('message', (event) => {
    const data = event.data as Partial<DpopProbeRequest> | null;
    if (data?.bearerSwTestDpop !== 'create' && data?.bearerSwTestDpop !== 'proof') return;
    const port = event.ports[0];
    answer(data as DpopProbeRequest).then(
      (reply) => port?.postMessage(reply),
      (error: unknown) => port?.postMessage({ failed: 'probe', error: describe(error) }),
    );
  });
}
