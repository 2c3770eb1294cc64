import { describe, expect, it } from 'vitest';
import { parseTokenSet } from '../src/shared/token-set.js';

const parse = (input: unknown) => parseTokenSet(input, 'hand off tokens');

describe('parseTokenSet', () => {
  it('keeps the known fields and drops the rest', () => {
    expect(parse({ accessToken: 'a.b.c', refreshToken: 'r1', expiresIn: 60, idToken: 'x' })).toEqual({
      accessToken: 'a.b.c',
      refreshToken: 'r1',
      expiresIn: 60,
    });
    expect(parse({ refreshToken: 'r1' })).toEqual({ refreshToken: 'r1' });
    expect(parse({ accessToken: 'a', expiresIn: 0 })).toEqual({ accessToken: 'a', expiresIn: 0 });
  });

  it.each([
    [null, /expected an object/],
    ['token', /expected an object/],
    [['a'], /expected an object/],
    [{}, /accessToken or a refreshToken is required/],
    [{ expiresIn: 10 }, /accessToken or a refreshToken is required/],
    [{ accessToken: 42 }, /accessToken must be a string, got number/],
    [{ accessToken: null }, /accessToken must be a string, got null/],
    [{ refreshToken: {} }, /refreshToken must be a string, got object/],
    [{ accessToken: '' }, /accessToken must not be empty/],
    [{ accessToken: 'a\r\nX-Evil: 1' }, /not allowed in an HTTP header/],
    [{ accessToken: 'has space' }, /not allowed in an HTTP header/],
    [{ accessToken: 'x'.repeat(20_000) }, /longer than/],
    [{ accessToken: 'a', expiresIn: -1 }, /expiresIn must be a finite number/],
    [{ accessToken: 'a', expiresIn: Number.NaN }, /expiresIn must be a finite number/],
    [{ accessToken: 'a', expiresIn: Number.POSITIVE_INFINITY }, /expiresIn must be a finite number/],
    [{ accessToken: 'a', expiresIn: '60' }, /expiresIn must be a finite number/],
    [{ access_token: 'a' }, /unknown field 'access_token' \(did you mean 'accessToken'\?\)/],
  ])('rejects %j with a TypeError naming the problem', (input, message) => {
    expect(() => parse(input)).toThrow(TypeError);
    expect(() => parse(input)).toThrow(message);
  });

  it('never puts a token value in an error message', () => {
    const secret = 'sekrit-token-value';
    try {
      parse({ accessToken: `${secret} with space` });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
