import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { openLoginDatabase, type LoginDatabase } from '../src/worker/login/login-database.js';
import { createLoginFailures, FAILURE_TTL_MS, MAX_FAILURES } from '../src/worker/login/login-failures.js';
import { createPendingLogins } from '../src/worker/login/pending-logins.js';

let databases = 0;
const nextName = () => `login-failures-test-${++databases}`;
const denied = { code: 'login-denied', message: 'Failed to log in: the server answered access_denied' };
const invalid = { code: 'login-state-invalid', message: 'Failed to log in: the response matches no login in progress' };
const tab = (id: string, url = 'https://app.test/inbox') => ({ id, url });

/** Every record the database holds for failures. */
async function storedIn(db: LoginDatabase) {
  return (await (await db()).getAll('pending')).filter((record) => record.kind === 'failure');
}

describe('failed logins kept for their tab', () => {
  it('tells each failure once, to the tab that landed (its client id, else its URL without hash)', async () => {
    const db = openLoginDatabase(nextName());
    const failures = createLoginFailures(db);
    await failures.add({ ...denied, clientId: 'landed', url: 'https://app.test/inbox#top' });
    await failures.add({ ...invalid, clientId: 'elsewhere', url: 'https://app.test/other' });
    expect(await failures.take(tab('another', 'https://app.test/unrelated'))).toBeNull();
    const [first, again] = await Promise.all([failures.take(tab('landed', 'https://app.test/moved')), failures.take(tab('landed', 'https://app.test/moved'))]);
    expect([first, again]).toEqual([denied, null]);
    // No client id match: the URL, hash ignored.
    expect(await failures.take(tab('a-new-client', 'https://app.test/other#x'))).toEqual(invalid);
    expect(await failures.take(tab('a-new-client', 'https://app.test/other'))).toBeNull();
    expect(await storedIn(db)).toEqual([]);
  });

  it('keeps in the database only the coded detail and how to find the tab', async () => {
    const db = openLoginDatabase(nextName());
    await createLoginFailures(db, undefined, () => 5).add({ ...denied, clientId: 'landed', url: 'https://app.test/#hash' });
    const [record] = await storedIn(db);
    expect(Object.keys(record ?? {}).sort()).toEqual(['clientId', 'code', 'createdAt', 'key', 'kind', 'message', 'url']);
    expect(record).toMatchObject({ ...denied, clientId: 'landed', url: 'https://app.test/#hash', createdAt: 5 });
  });

  it('survives the worker being stopped: a new run reads it from the database, once', async () => {
    const name = nextName();
    await createLoginFailures(openLoginDatabase(name)).add({ ...denied, clientId: 'landed', url: 'https://app.test/' });
    // A restarted worker: new memory, a new connection.
    const restarted = createLoginFailures(openLoginDatabase(name));
    expect(await restarted.take(tab('someone-else', 'https://app.test/elsewhere'))).toBeNull();
    expect(await restarted.take(tab('landed'))).toEqual(denied);
    expect(await restarted.take(tab('landed'))).toBeNull();
    // And a third run finds nothing left.
    expect(await createLoginFailures(openLoginDatabase(name)).take(tab('landed'))).toBeNull();
  });

  it('told from memory, it is gone from the database too: a restart does not tell it again', async () => {
    const name = nextName();
    const db = openLoginDatabase(name);
    const failures = createLoginFailures(db);
    await failures.add({ ...denied, clientId: 'landed', url: 'https://app.test/' });
    expect(await storedIn(db)).toHaveLength(1);
    expect(await failures.take(tab('landed'))).toEqual(denied);
    expect(await storedIn(db)).toEqual([]);
    expect(await createLoginFailures(openLoginDatabase(name)).take(tab('landed'))).toBeNull();
  });

  it(`expires after ${FAILURE_TTL_MS / 1000} s, in memory and in the database`, async () => {
    let now = 0;
    const name = nextName();
    const failures = createLoginFailures(openLoginDatabase(name), undefined, () => now);
    await failures.add({ ...denied, clientId: 'a', url: 'https://app.test/a' });
    await failures.add({ ...invalid, clientId: 'b', url: 'https://app.test/b' });
    now = FAILURE_TTL_MS - 1;
    expect(await failures.take(tab('a'))).toEqual(denied);
    now = FAILURE_TTL_MS;
    expect(await failures.take(tab('b'))).toBeNull();
    expect(await createLoginFailures(openLoginDatabase(name), undefined, () => now).take(tab('b'))).toBeNull();
    // The next failure kept clears the expired record out of the database.
    await failures.add({ ...denied, clientId: 'c', url: 'https://app.test/c' });
    expect((await storedIn(openLoginDatabase(name))).map((r) => r.clientId)).toEqual(['c']);
  });

  it(`keeps at most ${MAX_FAILURES}: the oldest give way, in memory and in the database`, async () => {
    let now = 0;
    const name = nextName();
    const failures = createLoginFailures(openLoginDatabase(name), undefined, () => now);
    for (let i = 0; i <= MAX_FAILURES; i += 1) {
      now = i;
      await failures.add({ ...denied, clientId: `c${i}`, url: `https://app.test/${i}` });
    }
    const stored = await storedIn(openLoginDatabase(name));
    expect(stored).toHaveLength(MAX_FAILURES);
    expect(stored.map((r) => r.clientId)).not.toContain('c0');
    expect(await failures.take(tab('c0', 'https://app.test/0'))).toBeNull();
    expect(await createLoginFailures(openLoginDatabase(name), undefined, () => now).take(tab('c0', 'https://app.test/0'))).toBeNull();
    expect(await failures.take(tab('c1', 'https://app.test/1'))).toEqual(denied);
    expect(await failures.take(tab(`c${MAX_FAILURES}`, `https://app.test/${MAX_FAILURES}`))).toEqual(denied);
  });

  it('when the database cannot be used, memory keeps the news and the reason is logged', async () => {
    const logged: string[] = [];
    const broken: LoginDatabase = () => Promise.reject(new Error('QuotaExceededError'));
    const failures = createLoginFailures(broken, (line) => logged.push(line));
    await expect(failures.add({ ...denied, clientId: 'landed', url: 'https://app.test/' })).resolves.toBeUndefined();
    expect(await failures.take(tab('landed'))).toEqual(denied);
    expect(await failures.take(tab('landed'))).toBeNull();
    // Kept, told (its deletion failing), and the read of an earlier run's news failing: each logged.
    expect(logged).toEqual(Array.from({ length: 3 }, () => 'login-failed news not in IndexedDB: Error: QuotaExceededError'));
  });

  it('news told while the database is being read does not come back from that read', async () => {
    const db = openLoginDatabase(nextName());
    const failures = createLoginFailures(db);
    await failures.add({ ...denied, clientId: 'landed', url: 'https://app.test/inbox' });
    // A tab with no news starts the read of the database; the landing tab is told from memory meanwhile.
    const [none, told] = await Promise.all([failures.take(tab('unrelated', 'https://app.test/elsewhere')), failures.take(tab('landed'))]);
    expect([none, told]).toEqual([null, denied]);
    expect(await failures.take(tab('another-tab', 'https://app.test/inbox'))).toBeNull();
    expect(await storedIn(db)).toEqual([]);
  });
});

describe('the login database of the previous release', () => {
  it('is used as it is: version 1, its pending logins and discovery cache kept, the failures beside them', async () => {
    const name = nextName();
    // Version 1, as the previous release created it.
    const v1 = await openDB(`${name}-login`, 1, {
      upgrade(db) {
        db.createObjectStore('pending');
        db.createObjectStore('discovery');
      },
    });
    const login = { kind: 'login' as const, key: 'state-1', verifier: 'v', nonce: 'n', returnTo: 'https://app.test/', createdAt: Date.now() };
    await v1.put('pending', login, login.key);
    await v1.put('discovery', { issuer: 'https://as.test/', metadata: { issuer: 'https://as.test' }, fetchedAt: 1 }, 'https://as.test/');
    v1.close();

    const db = openLoginDatabase(name);
    const opened = await db();
    // No upgrade: a worker of the previous release (an app rolled back) still opens it at version 1.
    expect(opened.version).toBe(1);
    expect([...opened.objectStoreNames].sort()).toEqual(['discovery', 'pending']);
    expect(await opened.get('discovery', 'https://as.test/')).toMatchObject({ fetchedAt: 1 });
    const failures = createLoginFailures(db);
    await failures.add({ ...denied, clientId: 'landed', url: 'https://app.test/' });
    expect(await createPendingLogins(db).take('state-1', 'login')).toEqual(login);
    expect(await failures.take(tab('landed'))).toEqual(denied);
  });

  it('keeps failures and logins in flight bounded apart: a flood of failures never pushes out a login', async () => {
    const db = openLoginDatabase(nextName());
    const pending = createPendingLogins(db);
    const login = { kind: 'login' as const, key: 'state-1', verifier: 'v', nonce: 'n', returnTo: 'https://app.test/', createdAt: Date.now() };
    await pending.put(login);
    const failures = createLoginFailures(db);
    for (let i = 0; i < MAX_FAILURES + 5; i += 1) await failures.add({ ...denied, clientId: `c${i}`, url: `https://app.test/${i}` });
    expect(await storedIn(db)).toHaveLength(MAX_FAILURES);
    // A failure's record is never handed out as a login in flight, even under its own key.
    const [aFailure] = await storedIn(db);
    expect(await pending.take(aFailure!.key, 'login')).toBeNull();
    expect(await pending.take('state-1', 'login')).toEqual(login);
  });

  it('closes its connection when a newer version is asked for, and reopens on next use', async () => {
    const name = nextName();
    const db = openLoginDatabase(name);
    await db();
    // Not blocked: the login's connection closed itself (an open connection would hold this open forever).
    const newer = await openDB(`${name}-login`, 3);
    expect(newer.version).toBe(3);
    newer.close();
    // The next use opens again rather than reuse the closed connection: at version 1, now refused.
    await expect(db()).rejects.toMatchObject({ name: 'VersionError' });
  });
});
