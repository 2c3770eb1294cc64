import { createReadStream, existsSync, statSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { extname, join, normalize } from 'node:path';

import type { DemoConfig, DemoStatus } from '../demo-config.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The SPA's origin: its handler and the paths requested of it. */
export interface DemoAppServer {
  readonly handler: RequestListener;
  /** Paths requested so far, oldest first. */
  readonly requested: readonly string[];
}

/**
 * Serves the built SPA from `root`: its files, `index.html` for any other path without an extension (so
 * `/callback` loads the app), `/demo-config.js` (the run's {@link DemoConfig} as an ES module) and `/demo/status`
 * (what the servers recorded, as JSON).
 */
export function createDemoAppServer(root: string, config: DemoConfig, status: () => DemoStatus): DemoAppServer {
  const requested: string[] = [];
  const handler: RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://app');
    requested.push(url.pathname);
    response.setHeader('cache-control', 'no-cache');
    if (url.pathname === '/demo-config.js') {
      response.writeHead(200, { 'content-type': TYPES['.js'] }).end(`export default ${JSON.stringify(config)};\n`);
      return;
    }
    if (url.pathname === '/demo/status') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status()));
      return;
    }
    const relative = extname(url.pathname) === '' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = normalize(join(root, relative));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  };
  return { handler, requested };
}
