// Property tests of the allowlist matcher against a model written from the WHATWG URL standard:
// the matcher must never give a token where the model says no (the security property), and
// should give one wherever the model says yes (or the allowlist would be useless).
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule, type ApiRule, type CompiledRule } from '../src/worker/api-rule.js';
import { createRuleMatcher } from '../src/worker/rule-matcher.js';

/** Runs per property; raise it locally (`URL_PROPERTY_RUNS=100000 npx vitest run …`) to dig deeper. */
const RUNS = Number(process.env.URL_PROPERTY_RUNS ?? 4_000);
/** Generous: the runs are CPU-bound and this machine is shared. */
const TIMEOUT = 120_000;

// ---------------------------------------------------------------------------------------------
// The model: what a request's URL *is*, read component by component from the URL parser, and
// the rule semantics stated over those components (path prefixes as whole segments).

function effectivePort(url: URL): string {
  if (url.port !== '') return url.port;
  return url.protocol === 'https:' ? '443' : '80';
}

function segments(path: string): string[] {
  return path.split('/').slice(1);
}

/** Index of the first rule the model gives the URL to, or `null`. */
function model(url: string, rules: readonly ApiRule[]): number | null {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  // Only HTTP(S) requests leave the browser with headers; credentials in the URL are refused.
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return null;
  if (target.username !== '' || target.password !== '') return null;
  const targetSegments = segments(target.pathname);
  for (const [index, rule] of rules.entries()) {
    const origin = new URL(rule.origin);
    if (origin.protocol !== target.protocol) continue;
    if (origin.hostname !== target.hostname) continue;
    if (effectivePort(origin) !== effectivePort(target)) continue;
    if (rule.paths === undefined) return index;
    const inside = rule.paths.some((prefix) => {
      const wanted = segments(prefix);
      if (wanted.at(-1) === '') wanted.pop(); // `/v1/` and `/` name directories
      return wanted.every((segment, i) => targetSegments[i] === segment);
    });
    if (inside) return index;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Generators

const HOSTS = ['api.test', 'api.example.com', 'localhost', '127.0.0.1', 'xn--bcher-kva.example', '[::1]', 'a.b.c.d.example'];
const SEGMENTS = ['v1', 'v2', 'api', 'rest', 'x-y', 'a.b', '~u', '%C3%A9', 'V1', 'users'];

const ruleArb: fc.Arbitrary<ApiRule> = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    host: fc.constantFrom(...HOSTS),
    port: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
    paths: fc.option(
      fc.array(
        fc.tuple(fc.array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 3 }), fc.boolean()).map(([parts, slash]) =>
          parts.length === 0 ? '/' : `/${parts.join('/')}${slash ? '/' : ''}`,
        ),
        { minLength: 1, maxLength: 3 },
      ),
      { nil: undefined },
    ),
  })
  .map(({ scheme, host, port, paths }) => {
    const origin = new URL(`${scheme}://${host}${port === undefined ? '' : `:${port}`}`).origin;
    return paths === undefined ? { origin } : { origin, paths };
  });

/** Host look-alikes and spellings, applied to a rule's host. */
const HOST_MUTATIONS: Array<(host: string) => string> = [
  (h) => h,
  (h) => h.toUpperCase(),
  (h) => h.replace(/[a-z]/, (c) => c.toUpperCase()),
  (h) => `${h}.`, // trailing dot: another origin for the URL standard, same server for DNS
  (h) => `evil.${h}`,
  (h) => `${h}.evil.test`,
  (h) => `x${h}`,
  (h) => `${h}x`,
  (h) => h.replace('.', '-'),
  (h) => h.replace('.', ''),
  (h) => h.replace('.', '%2E'), // hosts are percent-decoded: the same host
  (h) => h.replace('.', '\u3002'), // ideographic full stop: IDNA maps it to '.'
  (h) => h.replace('a', '\u0430'), // Cyrillic a: a different (punycode) host
  (h) => h.replace('a', '\uff41'), // fullwidth a: IDNA maps it to 'a'
  (h) => h.replace('a', '%61'),
  (h) => h.replace('p', '\u00adp'), // soft hyphen: IDNA drops it
  (h) => h.replace(/^(\w)/, '$1\u200b'), // zero-width space: rejected or another host
  (h) => `${h}:`,
  (h) => h.slice(1),
];

/** Mostly `usual`, sometimes one of `others`: most generated URLs stay close to a rule. */
function mostly<T>(usual: T, ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(usual) }, { weight: 2, arbitrary: fc.constantFrom(...others) });
}

/** Pieces of paths: boundary, case, dot-segment and percent-encoding tricks. */
const PATH_PIECES = [
  '', 'x', '0', 'v1', 'V1', 'v10', 'v1x', '.', '..', '%2e', '%2E', '.%2e', '%2e%2e', '%2F', '%2f', '%5C', '..%2F', '..%2f..%2fadmin',
  ';x', '..;', '%76%31', '\u00e9', 'v\t1', 'v\n1', '%00', '?', '#', '@', ':', '%', ' ',
];
/** Glued straight onto a rule's prefix: `/v1` + `x` is `/v1x`, not `/v1/x`. */
const GLUE = ['', '/', 'x', '0', '%2F', '%2f..', '/..', '/%2e%2e', '\\..', ';', '.', '/.', '#', '?', '%20', '\t'];

const urlArb = (rules: readonly ApiRule[]): fc.Arbitrary<string> => {
  const ruleOrigins = rules.map((r) => new URL(r.origin));
  const rulePaths = rules.flatMap((r) => r.paths ?? []);
  const ruleSegments = rulePaths.flatMap((p) => segments(p).filter((s) => s !== ''));
  const segmentArb = ruleSegments.length > 0 ? fc.oneof(fc.constantFrom(...PATH_PIECES), fc.constantFrom(...ruleSegments)) : fc.constantFrom(...PATH_PIECES);
  const freeArb = fc.array(fc.tuple(mostly('/', '\\', '//'), segmentArb), { maxLength: 5 }).map((parts) => parts.map(([sep, seg]) => sep + seg).join(''));
  const pathArb =
    rulePaths.length === 0
      ? freeArb
      : fc.oneof(freeArb, fc.tuple(fc.constantFrom(...rulePaths), fc.constantFrom(...GLUE), freeArb).map(([prefix, glue, rest]) => prefix + glue + rest));
  return fc
    .record({
      base: fc.constantFrom(...ruleOrigins),
      scheme: mostly('same', 'http', 'https', 'ws', 'wss', 'ftp', 'blob', 'HTTP'),
      host: fc.oneof(
        { weight: 3, arbitrary: fc.constant((h: string) => h) },
        { weight: 3, arbitrary: fc.constantFrom(...HOST_MUTATIONS) },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTS).map((other) => () => other) },
      ),
      port: mostly('same', 'none', 'default-http', 'default-https', 'leading-zero', 'plus-one', 'empty'),
      user: mostly('', 'user@', 'user:pw@', '@', ':@', 'a%40b@', 'api.test@'),
      path: pathArb,
      tail: mostly('', '?q=1', '?to=/v1', '#/v1', '?@evil.test', '#@evil.test'),
    })
    .map(({ base, scheme, host, port, user, path, tail }) => {
      const proto = scheme === 'same' ? base.protocol.slice(0, -1) : scheme === 'blob' ? `blob:${base.protocol.slice(0, -1)}` : scheme;
      const portPart = {
        same: base.port === '' ? '' : `:${base.port}`,
        none: '',
        'default-http': ':80',
        'default-https': ':443',
        'leading-zero': `:0${base.port === '' ? '80' : base.port}`,
        'plus-one': `:${Number(effectivePort(base)) + 1}`,
        empty: ':',
      }[port];
      return `${proto}://${user}${host(base.hostname)}${portPart}${path}${tail}`;
    });
};

/** A few rules, some of them sharing one origin, plus URLs made from them. */
const scenarioArb = fc
  .array(ruleArb, { minLength: 1, maxLength: 4 })
  .chain((rules) => fc.tuple(fc.constant(rules), fc.array(urlArb(rules), { minLength: 1, maxLength: 8 })));

function check(rules: readonly ApiRule[], compiled: readonly CompiledRule[], url: string): void {
  const matcher = createRuleMatcher(compiled);
  const got = matcher.match(url);
  const expected = model(url, rules);
  const gotIndex = got === null ? null : compiled.indexOf(got);
  if (gotIndex !== null && expected !== gotIndex) {
    throw new Error(`matcher gave ${url} to rule ${gotIndex} (${JSON.stringify(rules[gotIndex])}), the model to ${expected}`);
  }
  // The other direction: the matcher is no stricter than the model either.
  expect(gotIndex, url).toBe(expected);
}

// ---------------------------------------------------------------------------------------------

describe('rule matcher against the URL-standard model', () => {
  it(`never gives a token where the model says no, and agrees where it says yes (${RUNS} scenarios of up to 8 URLs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ([rules, urls]) => {
        const compiled = rules.map((rule, i) => compileRule(rule, i));
        for (const url of urls) check(rules, compiled, url);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it(`agrees with the model on arbitrary web URLs whose origin a rule names (${RUNS} URLs)`, () => {
    const webUrl = fc.webUrl({
      validSchemes: ['http', 'https'],
      authoritySettings: { withIPv4: true, withIPv6: true, withIPv4Extended: true, withPort: true, withUserInfo: true },
      withQueryParameters: true,
      withFragments: true,
    });
    fc.assert(
      fc.property(webUrl, webUrl, fc.boolean(), (ruleSource, url, samePrefix) => {
        // A rule for the origin of one generated URL, with the first segment of its path as prefix.
        const source = new URL(ruleSource);
        const first = segments(source.pathname)[0] ?? '';
        const rule: ApiRule = first === '' || first === '.' || first === '..' || !samePrefix ? { origin: source.origin } : { origin: source.origin, paths: [`/${first}`] };
        let compiled: CompiledRule;
        try {
          compiled = compileRule(rule, 0);
        } catch {
          return; // not an allowlist entry anyone could install
        }
        for (const candidate of [url, ruleSource, ruleSource.replace(source.host, source.host.toUpperCase())]) {
          check([rule], [compiled], candidate);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('never throws, whatever the string', () => {
    const matcher = createRuleMatcher([compileRule({ origin: 'https://api.test', paths: ['/v1'] }, 0)]);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.webUrl()), (url) => {
        const got = matcher.match(url);
        if (got !== null) expect(model(url, [{ origin: 'https://api.test', paths: ['/v1'] }])).toBe(0);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

describe('rule validation', () => {
  it('accepts an origin only when it is the exact serialized origin of an http(s) URL', () => {
    const originArb = fc.oneof(
      fc.webUrl({ validSchemes: ['http', 'https', 'ws', 'ftp'], authoritySettings: { withPort: true, withUserInfo: true, withIPv6: true } }),
      fc.webUrl().map((u) => new URL(u).origin),
      fc.string(),
    );
    fc.assert(
      fc.property(originArb, (origin) => {
        let compiled: CompiledRule;
        try {
          compiled = compileRule({ origin }, 0);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        const parsed = new URL(origin);
        expect(compiled.origin).toBe(origin);
        expect(parsed.origin).toBe(origin);
        expect(['http:', 'https:']).toContain(parsed.protocol);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('accepts a path prefix only when a request for that very path matches it', () => {
    const pathArb = fc.oneof(
      fc.array(fc.constantFrom('/', 'v1', '.', '..', '%2e', '%2F', 'a b', '?', '#', '\\', '\u00e9', '%C3%A9', '~', ';'), { maxLength: 6 }).map((p) => p.join('')),
      fc.string(),
    );
    fc.assert(
      fc.property(pathArb, (path) => {
        let compiled: CompiledRule;
        try {
          compiled = compileRule({ origin: 'https://api.test', paths: [path] }, 0);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        const matcher = createRuleMatcher([compiled]);
        expect(matcher.match(`https://api.test${path}`), path).toBe(compiled);
        expect(model(`https://api.test${path}`, [{ origin: 'https://api.test', paths: [path] }]), path).toBe(0);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('treats only Authorization as dropped on cross-origin redirects, in any spelling', () => {
    const headerArb = fc.oneof(
      fc.mixedCase(fc.constant('authorization')),
      fc.mixedCase(fc.constantFrom('x-api-token', 'x-supabase-auth', 'x-stack-access-token', 'authorization2', 'x-authorization')),
    );
    fc.assert(
      fc.property(headerArb, (header) => {
        const rule = compileRule({ origin: 'https://api.test', header }, 0);
        expect(rule.droppedOnCrossOriginRedirect).toBe(header.toLowerCase() === 'authorization');
      }),
      { numRuns: Math.min(RUNS, 2_000) },
    );
  }, TIMEOUT);
});
