// Hostile messages, both ways: what reaches the worker is checked (same-origin window, reply port,
// envelope, size) and answered with a coded error; what reaches a page is checked too (it must come
// from our worker), so another worker of the origin or a frame cannot fake a session change.
import { expect, pageFetch, signIn, test } from './support/fixtures.js';

test('oversized, deep, cyclic and flooding messages get coded errors; the worker keeps working and the session is untouched', async ({
  openApp,
  api,
}) => {
  const page = await openApp();
  const token = await signIn(page);
  const eventsBefore = await page.evaluate(() => window.harness.events.length);

  const answers = await page.evaluate(async () => {
    const ask = (data: unknown) => window.harness.postRaw(data, { waitMs: 10_000 });
    // For a message that must go unanswered: send it, then a hello behind it. The worker takes
    // messages in order and answers (or drops) a malformed one before its first await, so once
    // the hello is answered, a reply to the first would have come already.
    const worker = (await navigator.serviceWorker.getRegistration())?.active;
    const unanswered = async (data: unknown) => {
      const first = new MessageChannel();
      let replied: unknown = 'no-reply';
      first.port1.onmessage = (event) => (replied = event.data);
      worker?.postMessage(data, [first.port2]);
      const hello = await ask({ v: 1, type: 'hello', id: 'behind', payload: { version: 'x' } });
      await new Promise((resolve) => setTimeout(resolve, 0));
      return (hello as { payload?: { ok?: boolean } })?.payload?.ok === true ? replied : 'the hello behind it was not answered';
    };
    const code = (reply: unknown) => (reply as { payload?: { error?: { code?: string } } })?.payload?.error?.code ?? reply;
    const nested = (depth: number) => {
      const root: unknown[] = [];
      let cursor = root;
      for (let i = 0; i < depth; i++) cursor = cursor[0] = [] as unknown[];
      return root;
    };
    const cyclic: Record<string, unknown> = { note: 'no token here' };
    cyclic.self = cyclic;
    const manyKeys = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, 1]));
    return {
      hugeString: code(await ask({ v: 1, type: 'handoff', id: 'a', payload: { accessToken: 'x'.repeat(1_000_000) } })),
      hugeBuffer: code(await ask({ v: 1, type: 'handoff', id: 'b', payload: { accessToken: 'ok', blob: new ArrayBuffer(8_000_000) } })),
      manyKeys: code(await ask({ v: 1, type: 'handoff', id: 'c', payload: manyKeys })),
      // The guard walks nesting without recursion; the payload check refuses it.
      deep: code(await ask({ v: 1, type: 'handoff', id: 'd', payload: nested(1_000) })),
      // Near the deepest the page can send (about 3 600 levels): the worker's thread cannot even
      // deserialize it (a messageerror, not a message), so it is never seen, and never answered.
      deeper: await unanswered({ v: 1, type: 'handoff', id: 'd2', payload: nested(3_000) }),
      cyclic: code(await ask({ v: 1, type: 'handoff', id: 'e', payload: cyclic })),
      oversizedId: await unanswered({ v: 1, type: 'logout', id: 'i'.repeat(65) }),
      versionAsString: code(await ask({ v: '1', type: 'logout', id: 'f' })),
      prototypeKeys: code(await ask(JSON.parse('{"v":1,"type":"__proto__","id":"g","__proto__":{"type":"logout"}}'))),
      // 300 requests at once: every one answered, in whatever order.
      flood: (await Promise.all(Array.from({ length: 300 }, (_, i) => ask({ v: 1, type: 'hello', id: `h${i}`, payload: { version: 'x' } })))).filter(
        (reply) => (reply as { payload?: { ok?: boolean } })?.payload?.ok === true,
      ).length,
    };
  });
  expect(answers).toEqual({
    hugeString: 'invalid-message',
    hugeBuffer: 'invalid-message',
    manyKeys: 'invalid-message',
    deep: 'invalid-argument',
    deeper: 'no-reply',
    cyclic: 'invalid-argument',
    oversizedId: 'no-reply',
    versionAsString: 'version-mismatch',
    prototypeKeys: 'unknown-type',
    flood: 300,
  });

  // Nothing changed: same state, no event, the same token on the next request.
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
  expect(await page.evaluate(() => window.harness.events.length)).toBe(eventsBefore);
  expect(await pageFetch(page, `${api.origin()}/v1/after-hostile`)).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url === '/v1/after-hostile').map((r) => r.token)).toEqual([token]);
});

test('a dedicated Worker of the page cannot act on the session', async ({ openApp, api }) => {
  const page = await openApp();
  const token = await signIn(page);
  const probe = (await page.evaluate(() => window.harness.dedicatedWorkerProbe())) as { hasContainer?: boolean; reply?: unknown; error?: string };
  // Chromium gives dedicated workers no `navigator.serviceWorker`; were it there, the worker
  // would drop the message (its source is no window) and never answer.
  expect(probe.error).toBeUndefined();
  expect(probe.hasContainer === false || probe.reply === 'no-reply', JSON.stringify(probe)).toBe(true);
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
  await pageFetch(page, `${api.origin()}/v1/after-worker`);
  expect(api.requests((r) => r.url === '/v1/after-worker').map((r) => r.token)).toEqual([token]);
});

test('forged state and session-invalid messages from another worker of the origin or a cross-origin frame are ignored', async ({
  openApp,
  api,
}) => {
  const page = await openApp();
  const token = await signIn(page);
  const eventsBefore = await page.evaluate(() => window.harness.events.length);
  const epoch = 1_000_000;
  const forged = [
    { v: 1, type: 'state', payload: { state: 'unauthenticated', epoch } },
    { v: 1, type: 'session-invalid', payload: { reason: 'refresh-rejected', epoch } },
    { v: 1, type: 'reply', id: 'x', payload: { ok: true, result: { state: 'unauthenticated', epoch } } },
  ];

  // Another service worker of the same origin (any script there could register one) posts to every
  // window of the origin: the messages do arrive on navigator.serviceWorker…
  const forgery = await page.evaluate((messages) => window.harness.forgeFromOtherWorker(messages), forged);
  expect(forgery).toMatchObject({ ok: true });
  expect((forgery as { reached: number }).reached).toBeGreaterThanOrEqual(1);
  await expect.poll(() => page.evaluate(() => window.harness.rawMessages.filter((m) => (m as { payload?: { epoch?: number } })?.payload?.epoch === 1_000_000).length)).toBe(2);

  // A frame of another (opaque) origin cannot reach our worker at all, and what it posts to the
  // page's window is not a channel the session listens on.
  const frameReport = await page.evaluate(
    ([messages]) =>
      new Promise((resolve) => {
        const frame = document.createElement('iframe');
        frame.sandbox.add('allow-scripts');
        window.addEventListener('message', (event) => {
          if (event.source === frame.contentWindow && (event.data as { report?: unknown }).report !== undefined) resolve((event.data as { report: unknown }).report);
        });
        frame.srcdoc = `<script>
          let access;
          try { access = typeof navigator.serviceWorker.controller; } catch (e) { access = e.name; }
          for (const m of ${JSON.stringify(messages)}) parent.postMessage(m, '*');
          parent.postMessage({ report: access }, '*');
        </script>`;
        document.body.append(frame);
      }),
    [forged] as const,
  );
  expect(frameReport).toBe('SecurityError');
  expect(await page.evaluate(() => window.harness.windowMessages.length)).toBeGreaterThanOrEqual(forged.length + 1);

  // …and change nothing: same state, no event, requests still carry the token.
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
  expect(await page.evaluate(() => window.harness.events.length)).toBe(eventsBefore);
  await pageFetch(page, `${api.origin()}/v1/after-forgery`);
  expect(api.requests((r) => r.url === '/v1/after-forgery').map((r) => r.token)).toEqual([token]);
  // While the real worker's news is still heard: a logout elsewhere reaches this page.
  const other = await openApp();
  await other.evaluate(() => window.harness.register());
  await other.evaluate(() => window.harness.logout());
  await expect.poll(() => page.evaluate(() => window.harness.state())).toBe('unauthenticated');
});

test('replies that fail the page check are ignored, and a result of the wrong shape changes nothing', async ({ openApp, api }) => {
  const page = await openApp();
  const token = await signIn(page);
  const eventsBefore = await page.evaluate(() => window.harness.events.length);
  // Stand in for the worker: answer each request on its own port with what the test gives.
  const answerWith = (replies: unknown[]) =>
    page.evaluate(async (replies) => {
      const worker = (await navigator.serviceWorker.getRegistration())?.active;
      if (!worker) return 'no worker';
      worker.postMessage = (message: { id: string }, ports?: Transferable[] | StructuredSerializeOptions) => {
        const port = (ports as MessagePort[])[0];
        for (const reply of replies) port?.postMessage(JSON.parse(JSON.stringify(reply).replaceAll('$ID', message.id)));
      };
      const outcome = await window.harness.logout();
      delete (worker as Partial<ServiceWorker>).postMessage; // the real one again
      return outcome;
    }, replies);
  const snapshot = { state: 'unauthenticated', epoch: 1_000_000 };

  // Malformed replies first, then a well-formed error: only the last one counts.
  expect(
    await answerWith([
      'garbage',
      null,
      { v: 1, type: 'state', id: '$ID', payload: { ok: true, result: snapshot } },
      { v: 1, type: 'reply', id: 'someone-else', payload: { ok: true, result: snapshot } },
      { v: 1, type: 'reply', id: '$ID', payload: { ok: 'yes', result: snapshot } },
      { v: 1, type: 'reply', id: '$ID', payload: { ok: false, error: { code: 7, message: 'x' } } },
      { v: 1, type: 'reply', id: '$ID', payload: { ok: false, error: { code: 'storage-failed' } } },
      { v: 1, type: 'reply', id: '$ID', payload: { ok: false, error: { code: 'storage-failed', message: 'Failed to log out: stand-in' } } },
    ]),
  ).toEqual({ ok: false, name: 'BearerSwError', code: 'storage-failed', message: 'Failed to log out: stand-in' });
  // A reply to this request in another protocol version: the worker speaks another version (only it
  // holds the port), so the call ends at once with version-mismatch, whatever the reply says.
  expect(await answerWith([{ v: 2, type: 'reply', id: '$ID', payload: { ok: true, result: snapshot } }])).toEqual({
    ok: false,
    name: 'BearerSwError',
    code: 'version-mismatch',
    message: 'Failed to log out: the worker runs another bearer-sw version',
  });
  // A successful reply whose snapshot is malformed resolves, but the session does not take it.
  for (const result of [null, 'unauthenticated', { ...snapshot, state: 'gone' }, { ...snapshot, epoch: '1000000' }, { ...snapshot, epoch: 1.5 }]) {
    expect(await answerWith([{ v: 1, type: 'reply', id: '$ID', payload: { ok: true, result } }])).toEqual({ ok: true, state: 'authenticated' });
  }

  expect(await page.evaluate(() => window.harness.events.length)).toBe(eventsBefore);
  await pageFetch(page, `${api.origin()}/v1/after-bad-replies`);
  expect(api.requests((r) => r.url === '/v1/after-bad-replies').map((r) => r.token)).toEqual([token]);
  // The worker's own replies are still taken.
  expect(await page.evaluate(() => window.harness.logout())).toEqual({ ok: true, state: 'unauthenticated' });
});
