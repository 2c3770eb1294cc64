/**
 * The tag every human error sentence of the worker is written with:
 * `` msg`Failed to install the token injector: apis[${index}] ${reason}` ``.
 *
 * Here it builds the same string the plain template literal would, so the sources, the unit tests
 * and the package's `import` build carry full sentences. The package's `production` build (see
 * `scripts/compact-messages.mjs`) replaces each tagged template at build time with
 * `` `bearer-sw <id>: ${index} · ${reason}` ``: a stable id derived from the sentence's static
 * text, listed with the full sentence in `docs/errors.md`, and the same values. Protocol strings
 * (header values, OAuth parameters, error codes) and the `debug` log lines are never tagged.
 *
 * @param strings - the static text around the values
 * @param values - the interpolated values, converted as a template literal converts them
 * @returns the sentence
 * @example
 * ```ts
 * throw new TypeError(msg`Failed to create the login: ${name} must be a string`)
 * ```
 */
export function msg(strings: TemplateStringsArray, ...values: unknown[]): string {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) text += `${values[i]}${strings[i + 1]}`;
  return text;
}
