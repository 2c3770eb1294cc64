// Size budget per feature set: each set is a tiny app entry in scripts/size-sets/ importing only
// what that app would import from the built package (`bearer-sw/worker`, `bearer-sw/client`, …,
// resolved through package.json `exports` to dist/ as an app's production build resolves them: the
// `production` target where there is one, so the worker entries with compact error messages,
// `bearer-sw <id>: <values>`, see docs/errors.md) and calling it. Each is bundled the way an app's
// build would (dependencies bundled in, tree-shaken, minified), gzipped and compared with its
// budget. The default set is also measured against the `import` target (full sentences: what a dev
// server or a bundler without the `production` condition gets), as information, not budgeted.
// Then the default set is bundled once more against a package whose worker entry (built as the
// production one is) exports only `installTokenInjector` and `oauth2Refresh`: a feature the app
// does not import must add no bytes, so both must measure the same.
// `npm run size`; `--json` prints the measurement as JSON; `--verbose` lists the largest modules.
// Exit code 1 when a set is over its budget or the default set grew, so `npm test` fails.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SETS = join(ROOT, 'scripts', 'size-sets');
const KIB = 1024;
/** The package's own package.json, for its `exports`. */
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/**
 * One row per feature set: `set` names its entry `scripts/size-sets/<set>.ts`; `budget` is the most
 * gzip bytes it may weigh. Until a set meets its budget, `ceiling` (today's size with a little
 * headroom) is what fails the check, so a regression still fails `npm test`; drop it once met.
 * To add a feature: write `scripts/size-sets/<default-plus-feature>.ts` (the default set's imports
 * plus the feature's, the feature passed in config, as that app would write its worker) and add its
 * row; its budget is what its issue sets, else what it measures when it lands plus a little
 * headroom. The default row must not move when a feature lands: the check below holds it.
 * Rows to come as the features land: DPoP wired into the login.
 */
export const BUDGETS = [
  // Temporary ceilings (today's size plus about 30 B) until each budget is won back: the docs work
  // (~570 B: debug log, version-skew answer, the refresh-token rule, bounded leeway), per-API tokens
  // (~365 B, of which ~70 B are now opt-in) and the login hooks (~240 B, ~80 B of them since moved
  // into the login) grew the core; the size diet since won back ~230 B on the default set, and the
  // compact messages of the production build (docs/errors.md) ~545 B more (~600 B against full
  // sentences with the tag; deleting every message outright would leave the default at about
  // 8,700 B). See README, Size per feature set.
  { set: 'core', what: 'worker: core, custom RefreshFn', budget: 8_100, ceiling: 8_570 },
  // Issue 15: AxaFrance's service worker as shipped, which does less.
  { set: 'default', what: 'worker: default (oauth2Refresh, static routes)', budget: 8_376, ceiling: 9_090 },
  { set: 'default-supabase', what: 'worker: default with supabaseRefresh', budget: 9_300 },
  { set: 'default-stack-auth', what: 'worker: default with stackAuthRefresh', budget: 9_300 },
  { set: 'default-clerk', what: 'worker: default with clerkSessionToken', budget: 9_300 },
  { set: 'default-resources', what: 'worker: default, per-API tokens (resource)', budget: 9_300 },
  { set: 'default-workbox', what: 'worker: default hosted with Workbox (workboxComposition)', budget: 9_350 },
  // Issue 12: oauth4webapi and jose's JWT verification are most of it. Since issue 13 it carries the
  // DPoP code too (`dpop` is an option of oidcLogin, not an import, so a bundler cannot drop it).
  { set: 'default-login', what: 'worker: login in the worker (oidcLogin)', budget: 25_600 },
  // Issue 13: the login with dpop: true (key pair, proofs for the token endpoint and the APIs,
  // nonces). The DPoP code is reached through oidcLogin only: the core and default sets do not carry it.
  { set: 'login-dpop', what: 'worker: login with dpop: true (key, proofs, nonces)', budget: 26_600 },
  { set: 'page', what: 'page module (bearer-sw/client, all exports)', budget: 2 * KIB },
  // `external`: libraries left out of a set's bundle. DPoP is reached only through oidcLogin, so every
  // worker that has it carries oauth4webapi already (DPoP reads nonce challenges with its error reader).
  { set: 'dpop-additions', what: 'DPoP additions (src/worker/dpop, all exports)', budget: 2 * KIB, external: ['oauth4webapi'] },
  { set: 'server', what: 'API verifier (bearer-sw/server + jose parts)', budget: 12 * KIB },
];

/**
 * Resolves `bearer-sw/<subpath>` the way an app's bundler would: package.json `exports`, dist/;
 * the `production` target when the subpath has one (an app's production build picks it), else
 * `import`; `condition: 'import'` takes the `import` target only (the full-message build).
 */
function packageResolver(overrides = {}, condition = 'production') {
  return {
    name: 'bearer-sw-package',
    enforce: 'pre',
    resolveId(source) {
      if (!source.startsWith('bearer-sw/')) return null;
      const subpath = `.${source.slice('bearer-sw'.length)}`;
      if (subpath in overrides) return overrides[subpath];
      const target = pkg.exports?.[subpath];
      const file = typeof target === 'string' ? target : condition === 'production' ? (target?.production ?? target?.import) : target?.import;
      if (typeof file !== 'string') throw new Error(`package.json exports has no import target for '${subpath}'`);
      const path = join(ROOT, file);
      if (!existsSync(path)) throw new Error(`${file} does not exist: run \`npm run build\` first`);
      return path;
    },
  };
}

/**
 * Bundles one set entry with every import resolved, minified with the project's own bundler
 * (Vite: Rolldown + Oxc). A set that exports keeps those exports (`preserveEntrySignatures`).
 * @param {string} file - absolute path of the entry
 * @param {Record<string, string>} [overrides] - package subpath → file, in place of `exports`
 * @param {'production' | 'import'} [condition] - which `exports` target to take (see packageResolver)
 * @param {string[]} [external] - modules left out of the bundle (counted elsewhere)
 * @returns {Promise<{ minified: number; gzip: number; modules: Record<string, number> }>}
 */
export async function measure(file, overrides = {}, condition = 'production', external = []) {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    plugins: [packageResolver(overrides, condition)],
    // workbox-core reads process.env.NODE_ENV: settled at build time, as any app bundler does.
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      rollupOptions: { input: file, external, preserveEntrySignatures: 'strict', output: { format: 'es' } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output).filter((o) => o.type === 'chunk');
  const code = outputs.map((o) => o.code).join('\n');
  const modules = {};
  for (const chunk of outputs) {
    for (const [id, info] of Object.entries(chunk.modules)) {
      const name = id.startsWith(ROOT) ? id.slice(ROOT.length + 1) : id;
      modules[name] = (modules[name] ?? 0) + info.renderedLength;
    }
  }
  return { minified: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, modules };
}

/** `export … from '…'` statements: how the worker entry re-exports its other modules. */
const RE_EXPORT = /^export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+['"][^'"]+['"];?[ \t]*$/gm;
/** What the default set imports: all the bare package keeps. */
const DEFAULT_NAMES = ['installTokenInjector', 'oauth2Refresh'];

/**
 * Builds the package's worker entry with the project's own production config
 * (vite.worker-production.config.ts: compact messages, as `exports` → `production`) as it would be
 * if no optional feature existed: `src/worker/index.ts` keeping only the re-exports that carry a
 * name the default set imports (so modules keep their order), exporting only those names.
 * @returns {Promise<{ file: string; dispose: () => void }>}
 */
async function buildBarePackage() {
  // Inside the project, so the bare build's imports of idb, jose and workbox-core resolve.
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.bearer-sw-size-'));
  const index = join(ROOT, 'src/worker/index.ts');
  const entry = join(dir, 'bare-worker.ts');
  writeFileSync(entry, `export { ${DEFAULT_NAMES.join(', ')} } from ${JSON.stringify(index)};\n`);
  const named = (statement) => DEFAULT_NAMES.some((name) => new RegExp(`\\b${name}\\b`).test(statement));
  const onlyDefaultReExports = {
    name: 'bare-worker-index',
    enforce: 'pre',
    transform(code, id) {
      return id === index ? code.replace(RE_EXPORT, (statement) => (named(statement) ? statement : '')) : null;
    },
  };
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    await build({
      configFile: join(ROOT, 'vite.worker-production.config.ts'),
      logLevel: 'silent',
      plugins: [onlyDefaultReExports],
      // Merged into the config file's `lib.entry`: only `worker` is replaced, the login and Workbox
      // entries are built beside it as in the package, so the chunks are split the same way. Built
      // alone, the same code (6 B apart minified) lands in another order and gzips about 60 B smaller,
      // which would read as bytes the optional entries add.
      build: { outDir: join(dir, 'dist'), sourcemap: false, lib: { entry: { worker: entry }, formats: ['es'] } },
    });
  } catch (error) {
    dispose();
    throw error;
  }
  return { file: join(dir, 'dist', 'worker.js'), dispose };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const json = process.argv.includes('--json');
  const verbose = process.argv.includes('--verbose');
  const rows = [];
  for (const budget of BUDGETS) {
    const size = await measure(join(SETS, `${budget.set}.ts`), {}, 'production', budget.external);
    rows.push({ ...budget, ...size, met: size.gzip <= budget.budget, ok: size.gzip <= (budget.ceiling ?? budget.budget) });
  }
  // Information: the default set with full sentences (the `import` target).
  const fullMessages = await measure(join(SETS, 'default.ts'), {}, 'import');
  const defaultRow = rows.find((row) => row.set === 'default');
  const bare = await buildBarePackage();
  let isolation;
  try {
    const alone = await measure(join(SETS, 'default.ts'), { './worker': bare.file });
    isolation = { default: defaultRow.gzip, bare: alone.gzip, extra: defaultRow.gzip - alone.gzip, ok: defaultRow.gzip <= alone.gzip };
  } finally {
    bare.dispose();
  }
  if (json) {
    const { modules: _, ...full } = fullMessages;
    console.log(JSON.stringify({ sets: rows.map(({ modules: _, ...row }) => row), defaultFullMessages: full, isolation }, null, 2));
  } else {
    console.log('size budget per feature set (minified + gzip -9, dependencies bundled):');
    for (const row of rows) {
      const verdict = row.met
        ? `ok, ${row.budget - row.gzip} B to spare`
        : row.ok
          ? `missed by ${row.gzip - row.budget} B (fails above ${row.ceiling} B)`
          : `OVER by ${row.gzip - (row.ceiling ?? row.budget)} B`;
      console.log(`  ${row.set.padEnd(16)} ${row.what.padEnd(50)} ${String(row.gzip).padStart(6)} B gzip  (${row.minified} B min)  budget ${row.budget} B: ${verdict}`);
      if (verbose || !row.met) {
        const largest = Object.entries(row.modules).sort((a, b) => b[1] - a[1]).slice(0, 12);
        for (const [name, bytes] of largest) console.log(`      ${String(bytes).padStart(6)} B before minify  ${name}`);
      }
    }
    console.log(
      `  (information) default set with full messages (the \`import\` target: dev servers, bundlers without the \`production\` condition): ${fullMessages.gzip} B gzip (${fullMessages.minified} B min), ${fullMessages.gzip - defaultRow.gzip} B more than with ids`,
    );
    const verdict = isolation.ok ? 'ok: optional features add nothing' : `FAILED: the package's other exports add ${isolation.extra} B`;
    console.log(`  default set against the whole package ${isolation.default} B, against a package of only installTokenInjector + oauth2Refresh ${isolation.bare} B: ${verdict}`);
  }
  process.exit(rows.every((row) => row.ok) && isolation.ok ? 0 : 1);
}
