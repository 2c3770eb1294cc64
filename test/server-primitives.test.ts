// bearer-sw/server building blocks: htu normalisation and the bounded replay cache.
import { describe, expect, it } from 'vitest';

import { createReplayCache, normalizeHtu } from '../src/server/index.js';

describe('normalizeHtu', () => {
  it.each([
    ['https://api.example.com/v1/items?x=1#f', 'https://api.example.com/v1/items'],
    ['HTTPS://API.Example.COM:443/v1/items', 'https://api.example.com/v1/items'],
    ['http://api.example.com:80', 'http://api.example.com/'],
    ['http://api.example.com:8080/a/./b/../c', 'http://api.example.com:8080/a/c'],
    ['https://api.example.com/%7euser/%2f%41', 'https://api.example.com/~user/%2FA'],
    ['https://user:pass@api.example.com/v1', 'https://api.example.com/v1'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeHtu(input)).toBe(expected);
  });

  it('returns null for what is not an absolute http(s) URL', () => {
    expect(normalizeHtu('/v1/items')).toBeNull();
    expect(normalizeHtu('ftp://api.example.com/x')).toBeNull();
    expect(normalizeHtu('javascript:alert(1)')).toBeNull();
  });

  it('keeps apart what differs in scheme, port or path', () => {
    expect(normalizeHtu('https://a.example/x')).not.toBe(normalizeHtu('http://a.example/x'));
    expect(normalizeHtu('https://a.example/x')).not.toBe(normalizeHtu('https://a.example:8443/x'));
    expect(normalizeHtu('https://a.example/x')).not.toBe(normalizeHtu('https://a.example/X'));
  });
});

describe('createReplayCache', () => {
  it('accepts an id once until it expires, then again', () => {
    let clock = 100;
    const cache = createReplayCache({ now: () => clock });
    expect(cache.use('a', 110)).toBe(true);
    expect(cache.use('a', 110)).toBe(false);
    clock = 110;
    expect(cache.use('a', 120)).toBe(true);
  });

  it('stays within its bound: expired entries go first, then the oldest', () => {
    let clock = 0;
    const cache = createReplayCache({ maxEntries: 3, now: () => clock });
    expect(cache.use('a', 5)).toBe(true);
    expect(cache.use('b', 100)).toBe(true);
    expect(cache.use('c', 100)).toBe(true);
    clock = 10;
    // 'a' expired: 'd' takes its place and 'b' is still remembered.
    expect(cache.use('d', 100)).toBe(true);
    expect(cache.use('b', 100)).toBe(false);
    // Full of live entries: the oldest ('b') goes to make room.
    expect(cache.use('e', 100)).toBe(true);
    expect(cache.use('c', 100)).toBe(false);
    expect(cache.use('b', 100)).toBe(true);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => createReplayCache({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => createReplayCache({ maxEntries: 1.5 })).toThrow(TypeError);
  });
});
