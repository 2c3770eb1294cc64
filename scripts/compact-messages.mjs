// Compact error messages for the package's production build, the way React and Vue ship theirs.
//
// Every human error sentence of the worker is written `` msg`Failed to …: ${value}` `` (the tag of
// src/shared/message.ts, which at run time builds the same string). The `production` build of the
// worker entries (vite.worker-production.config.ts) runs `compactMessages()`, which replaces each
// tagged template with a plain template literal naming a stable id and keeping the values:
//
//   msg`Failed to install the token injector: apis[${index}] ${reason}`
//   → `bearer-sw a2b: ${index} · ${reason}`
//
// The id is derived from the sentence's static text only (renaming a variable keeps it; changing a
// word changes it), so docs/errors.md (scripts/error-docs.mjs) can list every id with its sentence.
// The message never holds more than the full one would: the same values, in order, and the id.
import MagicString from 'magic-string';

/** What every compact message starts with: names the package, so the id can be looked up. */
export const MESSAGE_PREFIX = 'bearer-sw';
/** Between the values of a compact message. */
export const VALUE_SEPARATOR = ' · ';
/** The module that exports the tag, as the worker's sources import it. */
const TAG_SOURCE = /(^|\/)message\.(js|ts)$/;
const TAG_NAME = 'msg';

/**
 * The static text of a tagged template, each value shown as `${}`: what the id is derived from.
 * @param {{ quasis: Array<{ value: { cooked: string | null; raw: string } }> }} template - the template literal
 */
export function messageText(template) {
  return template.quasis.map((quasi) => quasi.value.cooked ?? quasi.value.raw).join('${}');
}

/**
 * The stable id of a sentence: FNV-1a (32 bits) of its static text, three base-36 characters
 * (46,656 ids: short, since every byte ships; a build with two sentences on one id fails and names
 * them, so one is reworded).
 * @param {string} text - as {@link messageText} returns it
 */
export function messageId(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 36 ** 3).toString(36).padStart(3, '0');
}

/**
 * Visits every node of an ESTree tree, depth first, with its parent.
 * @param {object} node
 * @param {(node: any, parent: any) => void} visit
 */
export function walk(node, visit, parent = null) {
  visit(node, parent);
  for (const key of Object.keys(node)) {
    if (key === 'parent') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child !== null && typeof child === 'object' && typeof child.type === 'string') walk(child, visit, node);
    } else if (value !== null && typeof value === 'object' && typeof value.type === 'string') {
      walk(value, visit, node);
    }
  }
}

/** The local names the module gives the tag: `import { msg } from '…/message.js'` (or `msg as m`). */
function tagBindings(program) {
  const names = new Set();
  for (const statement of program.body) {
    if (statement.type !== 'ImportDeclaration' || !TAG_SOURCE.test(statement.source.value)) continue;
    for (const specifier of statement.specifiers) {
      if (specifier.type === 'ImportSpecifier' && (specifier.imported.name ?? specifier.imported.value) === TAG_NAME) names.add(specifier.local.name);
    }
  }
  return names;
}

/** Whether an identifier, seen under `parent`, is a use of the binding (not a property name or the import itself). */
function isReference(node, parent) {
  if (parent === null) return true;
  if (parent.type === 'ImportSpecifier') return false;
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && parent.key === node && !parent.computed) return parent.shorthand === true;
  if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) return false;
  return true;
}

/**
 * The tagged templates of a module, and every other use of the tag (a use the transform cannot
 * replace: passing `msg` around would leave a full sentence in the production build).
 * @param {any} program - the module's ESTree `Program`
 * @returns {{ messages: any[]; strays: any[] }}
 */
export function findMessages(program) {
  const tags = tagBindings(program);
  const messages = [];
  const strays = [];
  if (tags.size === 0) return { messages, strays };
  walk(program, (node, parent) => {
    if (node.type === 'TaggedTemplateExpression' && node.tag.type === 'Identifier' && tags.has(node.tag.name)) messages.push(node);
    else if (node.type === 'Identifier' && tags.has(node.name) && !(parent?.type === 'TaggedTemplateExpression' && parent.tag === node) && isReference(node, parent)) strays.push(node);
  });
  return { messages, strays };
}

/** The outermost of `nodes` that lie within [start, end), in order. */
function outermost(nodes, start, end) {
  const inside = nodes.filter((n) => n.start >= start && n.end <= end).sort((a, b) => a.start - b.start);
  const picked = [];
  for (const node of inside) if (picked.length === 0 || node.start >= picked[picked.length - 1].end) picked.push(node);
  return picked;
}

/**
 * Replaces every `` msg`…` `` of a module with its compact form.
 * @param {string} code - the module's JavaScript
 * @param {any} program - its ESTree `Program` (offsets in UTF-16 code units, as `this.parse` gives them)
 * @param {string} [fileName] - for error messages and the source map
 * @returns {{ code: string; map: import('magic-string').SourceMap; messages: Array<{ id: string; text: string }> } | null} null when the module has none
 * @throws Error when the module uses the tag other than as a tag
 */
export function compactSource(code, program, fileName = 'module') {
  const { messages, strays } = findMessages(program);
  if (strays.length > 0) {
    throw new Error(`Failed to compact the messages of ${fileName}: '${strays[0].name}' is used other than as a template tag at offset ${strays[0].start}`);
  }
  if (messages.length === 0) return null;
  const found = [];
  const render = (node) => {
    const text = messageText(node.quasi);
    const id = messageId(text);
    found.push({ id, text });
    const values = node.quasi.expressions.map((expression) => `\${${renderRange(expression.start, expression.end)}}`);
    return `\`${MESSAGE_PREFIX} ${id}${values.length > 0 ? `: ${values.join(VALUE_SEPARATOR)}` : ''}\``;
  };
  // The source of a value, with the tagged templates nested in it compacted too.
  const renderRange = (start, end) => {
    let out = '';
    let at = start;
    for (const inner of outermost(messages, start, end)) {
      out += code.slice(at, inner.start) + render(inner);
      at = inner.end;
    }
    return out + code.slice(at, end);
  };
  const edited = new MagicString(code);
  for (const node of outermost(messages, 0, code.length)) edited.overwrite(node.start, node.end, render(node));
  return { code: edited.toString(), map: edited.generateMap({ hires: true, source: fileName, includeContent: true }), messages: found };
}

/**
 * The Vite (Rolldown) plugin of the production build: compacts every module that imports the tag,
 * after the TypeScript transform (a plain plugin sees JavaScript), parsing with `this.parse`.
 * Fails the build when two different sentences get the same id, or the tag is used other than as one.
 * @returns {import('vite').Plugin}
 */
export function compactMessages() {
  /** id → static text, over the whole build. */
  let seen = new Map();
  return {
    name: 'bearer-sw-compact-messages',
    buildStart() {
      seen = new Map();
    },
    transform(code, id) {
      if (id.includes('/node_modules/') || id.startsWith('\0') || !/\.[cm]?[jt]s$/.test(id.split('?')[0])) return null;
      const result = compactSource(code, this.parse(code), id);
      if (result === null) return null;
      for (const { id: messageId, text } of result.messages) {
        const known = seen.get(messageId);
        if (known !== undefined && known !== text) this.error(`Failed to compact the messages: '${text}' and '${known}' both get id ${messageId}; reword one`);
        seen.set(messageId, text);
      }
      return { code: result.code, map: result.map };
    },
  };
}
