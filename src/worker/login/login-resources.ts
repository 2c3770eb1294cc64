import type { CompiledRule } from '../api-rule.js';

/**
 * The resources (RFC 8707) one login asks for: `authorizationParams.resource` first (the API of
 * the session's own token), then each distinct `resource` of the API rules, in config order. The
 * authorization request carries one `resource` parameter for each (RFC 8707 §2.1), so the one grant
 * covers every API; each API's own token then comes from a refresh with its `resource`. A rule's
 * `audience` adds nothing: a server that takes `audience` (Auth0) takes one at authorization.
 *
 * @param authorizationParams - the login's checked `authorizationParams`
 * @param rules - the compiled API rules
 * @returns the distinct resource URIs, possibly none
 * @example
 * ```ts
 * loginResources({}, compileConfig(config).rules) // ['https://orders.example.com', 'https://billing.example.com']
 * ```
 */
export function loginResources(authorizationParams: Record<string, string>, rules: readonly CompiledRule[]): string[] {
  const resources = new Set<string>();
  if (authorizationParams['resource'] !== undefined) resources.add(authorizationParams['resource']);
  for (const { target } of rules) if (target?.parameter === 'resource') resources.add(target.value);
  return [...resources];
}
