// The compact messages of the production build: the transform (scripts/compact-messages.mjs) on
// snippets, then on the package's real modules built by Vite the way the production config builds
// them, run in Node next to the same modules from source.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, parseSync } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactMessages, compactSource, messageId } from '../scripts/compact-messages.mjs';
import { collectMessages } from '../scripts/error-docs.mjs';
import { compileConfig } from '../src/worker/injector-config.js';
import { processRefreshTokenResponse } from '../src/worker/oauth2-refresh.js';
import { msg } from '../src/shared/message.js';

const ROOT = join(import.meta.dirname, '..');
const IMPORT = "import { msg } from '../shared/message.js';\n";

/** The transform on one module, parsed the way the plugin's `this.parse` does (oxc, ESTree). */
function compact(code: string): string | undefined {
  return compactSource(code, parseSync('module.js', code).program)?.code;
}

/** Runs a module's code and returns what its `out` export holds. */
async function evaluate(code: string, scope: Record<string, unknown>): Promise<unknown> {
  const body = code.replace(/^import .*\n/m, '').replace('export const out =', 'return');
  return new Function(...Object.keys(scope), body)(...Object.values(scope));
}

describe('msg (the tag, at run time)', () => {
  it('builds the same string as the plain template literal', () => {
    const index = 2;
    const value = { toString: () => 'custom' };
    expect(msg`Failed to install the token injector: apis[${index}] ${value} and ${null}/${undefined}`).toBe(
      `Failed to install the token injector: apis[${index}] ${value} and ${null}/${undefined}`,
    );
    expect(msg`no values`).toBe('no values');
    expect(msg`${'only'}`).toBe('only');
  });
});

describe('messageId', () => {
  it('is stable for the same text and differs for different texts', () => {
    const text = 'Failed to install the token injector: apis[${}] ${}';
    expect(messageId(text)).toBe(messageId(text));
    expect(messageId(text)).toMatch(/^[0-9a-z]{3}$/);
    expect(messageId(text)).not.toBe(messageId('Failed to install the token injector: apis[${}]${}'));
    expect(messageId('must be an object')).not.toBe(messageId('must be an objects'));
  });

  it('gives every sentence of the sources its own id', () => {
    const { entries, problems } = collectMessages();
    expect(problems).toEqual([]);
    expect(entries.length).toBeGreaterThan(100);
    expect(new Set(entries.map((e) => e.id)).size).toBe(new Set(entries.map((e) => e.text)).size);
  });
});

describe('compactSource', () => {
  it('replaces each tagged template with the id and the same values, in order', async () => {
    const code = `${IMPORT}const index = 3, reason = 'r';\nexport const out = msg\`Failed to install the token injector: apis[\${index}] \${reason}\`;\n`;
    const compacted = compact(code);
    const id = messageId('Failed to install the token injector: apis[${}] ${}');
    expect(compacted).toContain(`\`bearer-sw ${id}: \${index} · \${reason}\``);
    expect(compacted).not.toContain('Failed to');
    expect(compacted).not.toMatch(/\bmsg`/);
    expect(await evaluate(compacted ?? '', {})).toBe(`bearer-sw ${id}: 3 · r`);
  });

  it('keeps the id alone for a sentence without values, and the same id for the same text with other expressions', () => {
    const a = compact(`${IMPORT}export const out = [msg\`origin must be a string\`, msg\`x \${a.b} y\`, msg\`x \${c()} y\`];\n`) ?? '';
    expect(a).toContain(`\`bearer-sw ${messageId('origin must be a string')}\``);
    const id = messageId('x ${} y');
    expect(a).toContain(`\`bearer-sw ${id}: \${a.b}\``);
    expect(a).toContain(`\`bearer-sw ${id}: \${c()}\``);
  });

  it('compacts nested tagged templates and keeps plain templates in values as they are', async () => {
    const code = `${IMPORT}const known = 'k', ok = false;\nexport const out = msg\`outer \${ok ? 'yes' : msg\`inner \${known}\`} and \${known === undefined ? '' : \` (\${known})\`}\`;\n`;
    const compacted = compact(code) ?? '';
    const outer = messageId('outer ${} and ${}');
    const inner = messageId('inner ${}');
    expect(compacted).toContain(`\`bearer-sw ${outer}: \${ok ? 'yes' : \`bearer-sw ${inner}: \${known}\`} · \${known === undefined ? '' : \` (\${known})\`}\``);
    expect(await evaluate(compacted, {})).toBe(`bearer-sw ${outer}: bearer-sw ${inner}: k ·  (k)`);
  });

  it('follows the local name of the import, leaves other tags alone, and reads offsets right after non-ASCII text', () => {
    const code = `// Ein Kommentar — mit Umlauten: äöü, → …\nimport { msg as m } from './message.ts';\nconst other = String.raw;\nexport const out = [m\`sentence \${1}\`, other\`raw \${2}\`, 'é'];\n`;
    const compacted = compact(code) ?? '';
    expect(compacted).toContain(`[\`bearer-sw ${messageId('sentence ${}')}: \${1}\`, other\`raw \${2}\`, 'é']`);
  });

  it('does nothing to a module that does not import the tag, even with a msg of its own', () => {
    expect(compact('const msg = (s) => s;\nexport const out = msg`text ${1}`;\n')).toBeUndefined();
  });

  it('refuses a module that uses the tag other than as a tag (its sentences would ship in full)', () => {
    expect(() => compact(`${IMPORT}export const out = [msg, msg\`a\`];\n`)).toThrow(/'msg' is used other than as a template tag/);
  });
});

describe('the production build of the package modules', () => {
  let dir: string;
  let compacted: { compileConfig: typeof compileConfig; processRefreshTokenResponse: typeof processRefreshTokenResponse };
  let code: string;
  let modules: string[];

  beforeAll(async () => {
    // Inside the project, so the bundle's imports of its dependencies resolve.
    dir = mkdtempSync(join(ROOT, 'node_modules', '.bearer-sw-compact-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `export { compileConfig } from ${JSON.stringify(join(ROOT, 'src/worker/injector-config.ts'))};\nexport { processRefreshTokenResponse } from ${JSON.stringify(join(ROOT, 'src/worker/oauth2-refresh.ts'))};\n`,
    );
    const result = await build({
      configFile: false,
      logLevel: 'silent',
      root: ROOT,
      plugins: [compactMessages()],
      build: { outDir: join(dir, 'dist'), minify: true, target: 'es2022', lib: { entry, formats: ['es'], fileName: () => 'out.js' }, rollupOptions: { external: [/^[a-z@]/] } },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Array<{ output: Array<{ code?: string; moduleIds?: string[] }> }>;
    code = outputs.flatMap((r) => r.output).map((o) => o.code ?? '').join('\n');
    modules = outputs.flatMap((r) => r.output).flatMap((o) => o.moduleIds ?? []);
    compacted = await import(pathToFileURL(join(dir, 'dist', 'out.js')).href);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no sentence and no tag in the bundle', () => {
    for (const sentence of ['Failed to install the token injector', 'origin must be a string', 'Failed to refresh tokens', 'the server refused the refresh token']) {
      expect(code).not.toContain(sentence);
    }
    expect(code).toContain('bearer-sw ');
    // No call of the tag is left, so its module is not even bundled.
    expect(modules.some((id) => id.endsWith('src/shared/message.ts'))).toBe(false);
    expect(modules.some((id) => id.endsWith('src/worker/api-rule.ts'))).toBe(true);
  });

  it('throws the same error class with the id and the same values, where the source throws the full sentence', () => {
    const bad = { apis: [{ origin: 42 }] };
    expect(() => compileConfig(bad)).toThrow(new TypeError('Failed to install the token injector: apis[0] origin must be a string'));
    const outer = messageId('Failed to install the token injector: apis[${}] ${}');
    expect(() => compacted.compileConfig(bad)).toThrow(new TypeError(`bearer-sw ${outer}: 0 · bearer-sw ${messageId('origin must be a string')}`));
    expect(() => compacted.compileConfig({ apis: [{ origin: 'https://a.example/x' }] })).toThrow(
      new TypeError(`bearer-sw ${outer}: 0 · bearer-sw ${messageId("origin '${}' is not an exact origin; write '${}' (scheme, host and port only)")}: https://a.example/x · https://a.example`),
    );
  });

  it('keeps the code and the OAuth error of a refused refresh', async () => {
    const refused = () => new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400, headers: { 'content-type': 'application/json' } });
    const full = await processRefreshTokenResponse(refused()).catch((e: unknown) => e);
    const short = await compacted.processRefreshTokenResponse(refused()).catch((e: unknown) => e);
    expect(full).toMatchObject({ name: 'RefreshRejectedError', code: 'refresh-rejected', oauthError: 'invalid_grant', message: 'Failed to refresh tokens: the server refused the refresh token (invalid_grant)' });
    expect(short).toMatchObject({
      name: 'RefreshRejectedError',
      code: 'refresh-rejected',
      oauthError: 'invalid_grant',
      message: `bearer-sw ${messageId('Failed to refresh tokens: the server refused the refresh token (${})')}: invalid_grant`,
    });
  });
});
