// A second, unrelated service worker of the test app's origin (registered with scope /forger/, so it
// controls no page of the app). It stands for any other worker script of the origin: any of them
// can post to every window of the origin, controlled by it or not. It posts what it is given.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('message', (event) => {
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) for (const message of event.data) client.postMessage(message);
      event.ports[0]?.postMessage(windows.length);
    })(),
  );
});
