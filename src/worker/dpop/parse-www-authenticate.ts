/** One challenge of a `WWW-Authenticate` header: its scheme (lower-cased) and its auth-params (names lower-cased). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

// RFC 9110 §11.6.1: challenges separated by commas; each a scheme, then a token68 or auth-params
// `name=token` / `name="quoted string"`, also separated by commas.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PARAM = new RegExp(`^\\s*(${TOKEN})\\s*=\\s*(?:(${TOKEN})|"((?:[^"\\\\]|\\\\.)*)")\\s*`);
const SCHEME = new RegExp(`^\\s*(${TOKEN})(?:\\s+|(?=,)|$)`);
const TOKEN68 = /^([A-Za-z0-9\-._~+/]+=*)\s*(?:,|$)/;

/**
 * Parses a `WWW-Authenticate` value into its challenges; stops at the first thing it cannot read, keeping
 * what it read before (a malformed header must not hide a well-formed challenge before it).
 *
 * @example
 * ```ts
 * parseWwwAuthenticate('Bearer, DPoP algs="ES256", error="use_dpop_nonce"')
 * // [{ scheme: 'bearer', params: {} }, { scheme: 'dpop', params: { algs: 'ES256', error: 'use_dpop_nonce' } }]
 * ```
 */
export function parseWwwAuthenticate(value: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let rest = value;
  while (rest.trim() !== '') {
    rest = rest.replace(/^[\s,]+/, '');
    const scheme = SCHEME.exec(rest);
    if (scheme === null) break;
    const challenge: AuthChallenge = { scheme: (scheme[1] as string).toLowerCase(), params: {} };
    challenges.push(challenge);
    rest = rest.slice(scheme[0].length);
    const token68 = PARAM.test(rest) ? null : TOKEN68.exec(rest);
    if (token68 !== null) {
      rest = rest.slice(token68[0].length);
      continue;
    }
    for (;;) {
      const param = PARAM.exec(rest);
      if (param === null) break;
      challenge.params[(param[1] as string).toLowerCase()] = param[2] ?? (param[3] as string).replace(/\\(.)/g, '$1');
      rest = rest.slice(param[0].length);
      // A comma then a param continues this challenge; a comma then a scheme starts the next one.
      const next = /^,\s*/.exec(rest);
      if (next === null) break;
      if (!PARAM.test(rest.slice(next[0].length))) break;
      rest = rest.slice(next[0].length);
    }
  }
  return challenges;
}
