// A dedicated Worker of the test app: tries to reach the service worker the way a script running
// here could, and reports what it found. Bundled by Vite from `main.ts`'s `new Worker(new URL(…))`.
const scope = self as unknown as {
  navigator: { serviceWorker?: ServiceWorkerContainer };
  postMessage(message: unknown): void;
};

async function probe(): Promise<unknown> {
  const container = scope.navigator.serviceWorker;
  if (container === undefined) return { hasContainer: false };
  const registration = await container.getRegistration();
  const target = registration?.active ?? container.controller;
  if (!target) return { hasContainer: true, reachedWorker: false };
  const reply = await new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve('no-reply'), 1000);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    target.postMessage({ v: 1, type: 'logout', id: 'from-dedicated-worker' }, [channel.port2]);
  });
  return { hasContainer: true, reachedWorker: true, reply };
}

probe().then(
  (result) => scope.postMessage(result),
  (error: unknown) => scope.postMessage({ error: String(error) }),
);
