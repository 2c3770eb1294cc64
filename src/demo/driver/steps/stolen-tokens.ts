import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

import type { ApiRecord } from '../../server/demo-api.js';
import { check, requireTab, type DemoStep } from '../step.js';

/** The scheme and key binding of a verified token, `null` for none. */
function binding(record: ApiRecord | undefined): { scheme: string | null; jkt: string | null } | null {
  const token = record?.token;
  return token?.verified === true ? { scheme: token.scheme, jkt: token.jkt } : null;
}

/** What the page script found: the token strings, and what became of each CryptoKey it tried to export. */
interface Loot {
  accessToken: string | null;
  refreshToken: string | null;
  keys: Array<{ type: string; extractable: boolean; exported: boolean }>;
}

/**
 * The injected script: walks every record of every IndexedDB database of the origin, keeps the token strings and
 * tries `exportKey` on each CryptoKey. Text, not a function, so the bundler's helpers stay out of the page.
 */
const READ_EVERY_RECORD = `(async () => {
  const found = { accessToken: null, refreshToken: null, keys: [] };
  const walk = async (value) => {
    if (value instanceof CryptoKey) {
      let exported = true;
      await crypto.subtle.exportKey('pkcs8', value).catch(() => (exported = false));
      found.keys.push({ type: value.type, extractable: value.extractable, exported: value.type === 'private' ? exported : true });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      if (key === 'accessToken' && typeof item === 'string') found.accessToken = item;
      else if (key === 'refreshToken' && typeof item === 'string') found.refreshToken = item;
      else await walk(item);
    }
  };
  for (const info of await indexedDB.databases()) {
    if (info.name === undefined) continue;
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(info.name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const values = await new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const value of values) await walk(value);
    }
    db.close();
  }
  return found;
})()`;

/**
 * Step 3c: an injected script reads every record of every IndexedDB database of the app's origin (it can: the
 * database is the origin's) and sends the tokens elsewhere. There, an attacker tries the refresh token at the
 * provider and the access token at the API, without a proof and with a proof signed by a key of their own. DPoP
 * refuses every attempt: the tokens are bound to a key whose private half `exportKey` will not give out. The tab
 * keeps working.
 */
export const stolenTokensStep: DemoStep = {
  id: 'stolen-tokens',
  title: 'Tokens stolen from IndexedDB are refused elsewhere (DPoP)',
  async run(run) {
    const tab = requireTab(run.tabA, 'A');
    const { api, provider, config } = run.stack;

    // The API sees DPoP: the scheme, and the key the token is bound to.
    const mark = api.records.length;
    await tab.call('api', '/v1/me');
    const seen = binding(api.records[mark]);

    const loot = (await tab.page.evaluate(READ_EVERY_RECORD)) as Loot;
    const privateKeys = loot.keys.filter((key) => key.type === 'private');

    // The attacker, elsewhere (this Node process), with a key pair of their own.
    const attacker = await generateKeyPair('ES256');
    const jwk: JWK = await exportJWK(attacker.publicKey);
    const proof = (claims: Record<string, string>) =>
      new SignJWT({ ...claims, jti: crypto.randomUUID() }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).setIssuedAt().sign(attacker.privateKey);
    const refresh = async (headers: Record<string, string>) => {
      const response = await fetch(provider.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: config.clientId, refresh_token: loot.refreshToken ?? '' }),
      });
      const body = (await response.json().catch(() => ({}))) as { error?: string; access_token?: string };
      return { status: response.status, error: body.error ?? '', issued: body.access_token !== undefined };
    };
    const atProvider = [await refresh({}), await refresh({ dpop: await proof({ htm: 'POST', htu: provider.tokenEndpoint }) })];
    const url = `${config.apiOrigin}/v1/me`;
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(loot.accessToken ?? ''))).toString('base64url');
    const atApi = [];
    for (const headers of [
      { authorization: `Bearer ${loot.accessToken}` },
      { authorization: `DPoP ${loot.accessToken}` },
      { authorization: `DPoP ${loot.accessToken}`, dpop: await proof({ htm: 'GET', htu: url, ath }) },
    ]) {
      atApi.push((await fetch(url, { headers })).status);
    }

    const afterMark = api.records.length;
    await tab.call('api', '/v1/items');
    const after = api.records[afterMark];
    return {
      show: tab,
      checks: [
        check('the API received the token with the DPoP scheme, bound to a key (cnf.jkt)', seen?.scheme === 'DPoP' && typeof seen.jkt === 'string', `scheme ${seen?.scheme ?? 'none'}`),
        check('the page script found both tokens in IndexedDB', loot.accessToken !== null && loot.refreshToken !== null),
        check(
          'and the private key, which exportKey refused to give out',
          privateKeys.length === 1 && privateKeys.every((key) => !key.extractable && !key.exported),
          `${privateKeys.length} private key(s), exported: ${privateKeys.map((key) => key.exported).join(', ')}`,
        ),
        check(
          'the provider refused the stolen refresh token, without a proof and with a proof of another key',
          atProvider.every((attempt) => attempt.status === 400 && !attempt.issued),
          atProvider.map((attempt) => `${attempt.status} ${attempt.error}`).join(', '),
        ),
        check('the API refused the stolen access token as Bearer, as DPoP without a proof, and with a proof of another key', atApi.every((status) => status === 401), atApi.join(', ')),
        check('the tab goes on: its next call is answered 200 with its own proof', after?.status === 200 && binding(after)?.scheme === 'DPoP', `${after?.status ?? 'no request'}`),
      ],
    };
  },
};
