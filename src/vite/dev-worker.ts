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
    const stamps = new Map<string, string>();
    for (const file of [entry, ...(built?.build.files ?? [])]) stamps.set(file, stamp(file));
    const build = await buildWorker(app, entry, { fileName, sourcemap: 'inline', minify: false });
    for (const file of build.files) if (!stamps.has(file)) stamps.set(file, stamp(file));
    for (const file of stamps.keys()) if (file !== entry && !build.files.includes(file)) stamps.delete(file);
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
