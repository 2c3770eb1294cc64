import { failRule, type TokenTarget } from './api-rule.js';
import { msg } from '../shared/message.js';

/**
 * The per-API tokens feature as `installTokenInjector` takes it (`perApiTokens` in the config, made
 * by {@link perApiTokens}): it reads a rule's `resource` or `audience`.
 */
export interface PerApiTokens {
  /**
   * Validates the `resource` (RFC 8707 §2: an absolute URI without a fragment) or `audience` of a
   * rule that has one.
   * @throws TypeError naming the rule and the problem
   */
  compileTarget(rule: Record<string, unknown>, index: number): TokenTarget;
}

/**
 * Per-API tokens: rules with `resource` (or `audience`) get an access token issued for that API,
 * one per resource, all from the session's one refresh token (see README, *Several APIs, one
 * login*). Pass what it returns as `perApiTokens` in the config; a rule with `resource` in a config
 * without it is refused at install, and a worker that does not import it carries none of this.
 *
 * @example
 * ```ts
 * import { installTokenInjector, oauth2Refresh, perApiTokens } from 'bearer-sw/worker'
 * installTokenInjector({
 *   apis: [{ origin: 'https://orders.example.com', resource: 'https://orders.example.com' }],
 *   refresh: oauth2Refresh({ tokenEndpoint: 'https://auth.example.com/oauth/token', clientId: 'spa' }),
 *   perApiTokens: perApiTokens(),
 * })
 * ```
 */
export function perApiTokens(): PerApiTokens {
  return { compileTarget };
}

function compileTarget({ resource, audience }: Record<string, unknown>, index: number): TokenTarget {
  if (resource !== undefined && audience !== undefined) failRule(index, msg`has both resource and audience`);
  if (resource !== undefined) {
    // RFC 8707 §2: an absolute URI without a fragment. (Not URL.canParse: Safari 17+ only.)
    let absolute = typeof resource === 'string' && !resource.includes('#');
    try {
      if (absolute) new URL(resource as string);
    } catch {
      absolute = false;
    }
    if (!absolute) failRule(index, msg`resource must be an absolute URI without a fragment`);
    return { parameter: 'resource', value: resource as string };
  }
  if (typeof audience !== 'string' || !/^[\x21-\x7e]+$/.test(audience)) failRule(index, msg`audience must be a non-empty string`);
  return { parameter: 'audience', value: audience };
}
