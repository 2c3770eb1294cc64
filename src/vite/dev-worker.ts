import { statSync } from 'node:fs';
import type { ResolvedConfig } from 'vite';
import { buildWorker, type WorkerBuild } from './build-worker.js';

/** The worker as the dev server serves it: built on request, rebuilt when a bundled file changed. */
export interface DevWorker {
  /** The current script; rebuilds first when any file of its module graph changed since the last build. */
  script(): Promise<string>;
}

/** A file's identity for change detection: modification time and size, or missing. */
function stamp(file: string): string {
  try {
    const { mtimeMs, size } = statSync(file);
    return `${mtimeMs}:${size}`;
  } catch {
    return 'missing';
  }
}

/**
 * The dev server's worker. Instead of trusting a file watcher (which ignores `node_modules` and
 * may miss events), every request checks the modification time of each file the last build
 * bundled: cheap for the few dozen files of a worker, and never stale.
 */
export function devWorker(app: ResolvedConfig, entry: string, fileName: string): DevWorker {
  let built: { build: WorkerBuild; stamps: Map<string, string> } | null = null;
  let pending: Promise<string> | null = null;
  const stale = () => built === null || [...built.stamps].some(([file, value]) => stamp(file) !== value);
  const rebuild = async () => {
    // Stamps of the files known so far are taken before the build, so a file saved during the
    // build makes the next request rebuild; files new to the graph are stamped after it.
    // Files that left the graph are dropped.
    const before = new Map([entry, ...(built?.build.files ?? [])].map((file) => [file, stamp(file)] as const));
    const build = await buildWorker(app, entry, { fileName, sourcemap: 'inline', minify: false });
    const stamps = new Map([entry, ...build.files].map((file) => [file, before.get(file) ?? stamp(file)] as const));
    built = { build, stamps };
    return build.code;
  };
  return {
    script() {
      if (pending !== null) return pending;
      if (!stale() && built !== null) return Promise.resolve(built.build.code);
      pending = rebuild().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}
