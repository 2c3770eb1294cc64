// The leak suite's URL variants (e2e/support/url-variants.ts) through the matcher alone: the same
// list the browser test sends, so a wrong expectation shows up here first, in milliseconds.
import { describe, expect, it } from 'vitest';
import { tagUrl, urlVariants, variantRules } from '../e2e/support/url-variants.js';
import { compileRule } from '../src/worker/api-rule.js';
import { createRuleMatcher } from '../src/worker/rule-matcher.js';

const ports = { api: 41_234, other: 41_235 };
const variants = urlVariants(ports);
const matcher = createRuleMatcher(variantRules(ports.api).map((rule, i) => compileRule(rule, i)));

describe('leak-suite URL variants', () => {
  it('has at least 40 that must get no token', () => {
    expect(variants.filter((v) => v.token === 'none').length).toBeGreaterThanOrEqual(40);
  });

  it.each(variants.map((v, i) => [v.note, v, i] as const))('%s', (_note, variant, i) => {
    const url = tagUrl(variant.url, i);
    expect(matcher.match(url)?.header ?? 'none', url).toBe(variant.token);
    if (variant.lands !== null && variant.via === 'fetch') {
      // What the URL parser makes of it is what the server must see.
      const parsed = new URL(url);
      expect(parsed.host, url).toBe(variant.host);
      expect(parsed.pathname, url).toBe(variant.seen);
      expect(parsed.searchParams.get('case')).toBe(String(i));
    }
  });
});
