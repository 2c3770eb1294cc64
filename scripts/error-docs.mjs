// docs/errors.md: the lookup table of the compact messages a production build of the worker
// carries (`bearer-sw <id>: <values>`, see scripts/compact-messages.mjs). Generated from the
// sources: every `` msg`…` `` of src/worker and src/shared, its id, the full sentence with its
// placeholders, the error it travels in and its `code`.
//
// `node scripts/error-docs.mjs` checks docs/errors.md (part of `npm test`: a missing, stale or extra
// id fails, as check-api-docs.mjs does for the README); `--write` regenerates it.
// Exit code 1 with one line per difference, or when two sentences share an id, or when the error a
// sentence travels in cannot be told from the code around it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'vite';
import { findMessages, MESSAGE_PREFIX, messageId, messageText, VALUE_SEPARATOR, walk } from './compact-messages.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = join(ROOT, 'docs', 'errors.md');
const SOURCES = ['src/worker', 'src/shared'];

/** The error classes the worker throws, and the code each carries (a TypeError reaches a page as `invalid-argument`). */
const CLASS_CODES = { TypeError: 'invalid-argument', RefreshRejectedError: 'refresh-rejected', RefreshUnavailableError: 'refresh-unavailable', Error: null };
const CODE_LIKE = /^[a-z]+(-[a-z]+)+$/;

function tsFiles(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** One parsed source: its text, tree and every node's parent. */
function load(file) {
  const code = readFileSync(join(ROOT, file), 'utf8');
  const { program, errors } = parseSync(file, code);
  if (errors.length > 0) throw new Error(`Failed to read ${file}: ${errors[0].message}`);
  const parents = new Map();
  const functions = new Map();
  walk(program, (node, parent) => {
    parents.set(node, parent);
    if (node.type === 'FunctionDeclaration' && node.id) functions.set(node.id.name, node);
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && /Function/.test(node.init?.type ?? '')) functions.set(node.id.name, node.init);
  });
  return { file, code, program, parents, functions };
}

const source = (ctx, node) => ctx.code.slice(node.start, node.end);
const keyOf = (property) => (property.key.type === 'Identifier' ? property.key.name : property.key.value);
const paramName = (param) => (param.type === 'AssignmentPattern' ? param.left.name : param.name);

function enclosingFunction(ctx, node) {
  for (let at = ctx.parents.get(node); at; at = ctx.parents.get(at)) if (/Function/.test(at.type)) return at;
  return null;
}

/** The error a `new X(…, message)` makes: its class and code, or the parameter that brings the code. */
function fromNew(ctx, expression) {
  const name = expression.callee.type === 'Identifier' ? expression.callee.name : source(ctx, expression.callee);
  if (name in CLASS_CODES) return { thrownAs: name, code: CLASS_CODES[name] };
  if (name !== 'BearerSwError') return null;
  const [first] = expression.arguments;
  if (first?.type === 'Literal') return { thrownAs: name, code: first.value };
  const fn = enclosingFunction(ctx, expression);
  const index = first?.type === 'Identifier' && fn ? fn.params.findIndex((p) => paramName(p) === first.name) : -1;
  return index >= 0 ? { thrownAs: name, codeParam: index } : { thrownAs: name, code: source(ctx, first) };
}

/** Where a value that is passed as parameter `index` of function `name` ends up. */
function throughParameter(contexts, ctx, name, index, depth) {
  const candidates = [ctx, ...contexts.filter((c) => c !== ctx)].filter((c) => c.functions.has(name));
  for (const owner of candidates) {
    const fn = owner.functions.get(name);
    const param = fn.params[index];
    if (param === undefined) continue;
    const found = [];
    walk(fn.body, (node) => node.type === 'Identifier' && node.name === paramName(param) && found.push(node));
    for (const use of found) {
      const result = errorOf(contexts, owner, use, depth + 1);
      if (result !== null) return result;
    }
  }
  return null;
}

/**
 * The error a message (or a value holding it) travels in, walking out from `node`: `{ thrownAs,
 * code }`, `{ thrownAs, codeParam }` while the code is still a parameter, or null when unknown.
 */
function errorOf(contexts, ctx, node, depth = 0) {
  if (depth > 12) return null;
  const parent = ctx.parents.get(node);
  if (!parent) return null;
  switch (parent.type) {
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSNonNullExpression':
    case 'LogicalExpression':
    case 'TemplateLiteral':
    case 'TaggedTemplateExpression':
      return errorOf(contexts, ctx, parent, depth + 1);
    case 'ConditionalExpression':
      return parent.test === node ? null : errorOf(contexts, ctx, parent, depth + 1);
    case 'NewExpression':
      return parent.arguments.includes(node) ? fromNew(ctx, parent) : null;
    case 'CallExpression': {
      const index = parent.arguments.indexOf(node);
      if (index < 0) return null;
      if (parent.callee.type === 'MemberExpression' && source(ctx, parent.callee.object) === 'console') return { thrownAs: source(ctx, parent.callee), code: null };
      if (parent.callee.type !== 'Identifier') return null;
      const result = throughParameter(contexts, ctx, parent.callee.name, index, depth);
      if (result === null || result.codeParam === undefined) return result;
      const argument = parent.arguments[result.codeParam];
      return { thrownAs: result.thrownAs, code: argument?.type === 'Literal' ? argument.value : source(ctx, argument) };
    }
    case 'Property': {
      if (parent.value !== node) return null;
      const object = ctx.parents.get(parent);
      const key = keyOf(parent);
      // A table of messages by code (the message guard's answers).
      if (CODE_LIKE.test(key)) return { thrownAs: 'reply to a page', code: key };
      if (key !== 'message') return null;
      const sibling = object.properties.find((p) => p.type === 'Property' && (keyOf(p) === 'code' || keyOf(p) === 'error'));
      if (sibling === undefined) return null;
      const holder = ctx.parents.get(object);
      const thrownAs = holder?.type === 'CallExpression' && source(ctx, holder.callee) === 'JSON.stringify' ? 'response body (403)' : 'reply to a page';
      return { thrownAs, code: sibling.value.type === 'Literal' ? sibling.value.value : source(ctx, sibling.value) };
    }
    case 'VariableDeclarator': {
      if (parent.init !== node || parent.id.type !== 'Identifier') return null;
      const scope = enclosingFunction(ctx, parent)?.body ?? ctx.program;
      const uses = [];
      walk(scope, (n) => n.type === 'Identifier' && n.name === parent.id.name && n !== parent.id && uses.push(n));
      for (const use of uses) {
        const result = errorOf(contexts, ctx, use, depth + 1);
        if (result !== null) return result;
      }
      return null;
    }
    default:
      return null;
  }
}

/**
 * A helper that takes the code as a parameter (`fail(code, reason)`): the codes its calls in the
 * same file pass, in order of appearance.
 */
function codesOfCalls(ctx, node, index) {
  const fn = enclosingFunction(ctx, node);
  const holder = fn && ctx.parents.get(fn);
  const name = fn?.id?.name ?? (holder?.type === 'VariableDeclarator' ? holder.id.name : undefined);
  const codes = [];
  walk(ctx.program, (n) => {
    const argument = n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === name ? n.arguments[index] : undefined;
    if (argument?.type === 'Literal' && !codes.includes(argument.value)) codes.push(argument.value);
  });
  return codes;
}

/** The full sentence as written, each value as `${expression}`. */
function template(ctx, node) {
  const { quasis, expressions } = node.quasi;
  return quasis.map((q, i) => (q.value.cooked ?? q.value.raw) + (i < expressions.length ? `\${${source(ctx, expressions[i])}}` : '')).join('');
}

/**
 * Every message of the sources, one entry per id.
 * @returns {{ entries: Array<{ id: string; text: string; template: string; thrownAs: string[]; codes: string[]; files: string[] }>; problems: string[] }}
 */
export function collectMessages() {
  const files = SOURCES.flatMap(tsFiles).sort();
  const contexts = files.map(load);
  const byId = new Map();
  const problems = [];
  for (const ctx of contexts) {
    for (const node of findMessages(ctx.program).messages) {
      const text = messageText(node.quasi);
      const id = messageId(text);
      const line = ctx.code.slice(0, node.start).split('\n').length;
      const error = errorOf(contexts, ctx, node);
      const codes = error?.codeParam === undefined ? [error?.code ?? '—'] : codesOfCalls(ctx, node, error.codeParam);
      if (error === null || codes.length === 0) {
        problems.push(`${ctx.file}:${line}: cannot tell which error carries \`${text}\``);
        continue;
      }
      const entry = byId.get(id) ?? { id, text, template: template(ctx, node), thrownAs: [], codes: [], files: [] };
      if (entry.text !== text) problems.push(`${ctx.file}:${line}: \`${text}\` and \`${entry.text}\` share the id ${id}; reword one`);
      if (!entry.thrownAs.includes(error.thrownAs)) entry.thrownAs.push(error.thrownAs);
      for (const code of codes) if (!entry.codes.includes(code)) entry.codes.push(code);
      if (!entry.files.includes(ctx.file)) entry.files.push(ctx.file);
      byId.set(id, entry);
    }
  }
  const entries = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { entries, problems };
}

const cell = (text) => text.replaceAll('|', '\\|');
const codeSpan = (text) => `\`\` ${cell(text)} \`\``;

/** docs/errors.md as the sources make it. */
export function renderDoc(entries) {
  const rows = entries.map(
    (e) =>
      `| \`${e.id}\` | ${codeSpan(e.template)} | ${e.thrownAs.join(', ')} | ${e.codes.map((c) => (c === '—' ? c : `\`${c}\``)).join(', ')} | ${e.files.map((f) => relative(ROOT, join(ROOT, f))).join(', ')} |`,
  );
  return `# Error messages

<!-- Generated from the sources by \`node scripts/error-docs.mjs --write\`; \`npm test\` fails when this file is stale. -->

A production build of the worker carries each error sentence as an id followed by the sentence's
values, in order: \`${MESSAGE_PREFIX} <id>: <value>${VALUE_SEPARATOR}<value>\`, or \`${MESSAGE_PREFIX} <id>\` for a sentence
without values. Look the id up below: the values fill its placeholders. A value can itself be a sentence
with its own id (the reason a \`fail\` helper is given), so \`${MESSAGE_PREFIX} <id>: 0${VALUE_SEPARATOR}${MESSAGE_PREFIX} <id>\` reads
as the first sentence with \`0\` and the second sentence in its placeholders. The error class and its
\`code\` are the same as with full sentences.

What gets ids: \`bearer-sw/worker\`, \`bearer-sw/worker/login\` and \`bearer-sw/worker/workbox\` resolved
with the \`production\` condition of package.json \`exports\`, which Vite and webpack use in a
production build (including the worker \`bearer-sw/vite\` builds for \`vite build\`). Full sentences:
the dev server (\`vite\`), any build resolving the \`import\` condition (the default, and the classic
script \`bearer-sw/worker.classic.js\`), or a build with the \`development\` condition.
The \`debug: true\` log lines always stay full sentences.

"thrown as": the class of the error, or how the sentence travels (a reply to a page's request, the
body of a refused response, a console line). A \`TypeError\` reaches a page as \`invalid-argument\`.

| id | message | thrown as | code | source |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { entries, problems } = collectMessages();
  for (const problem of problems) console.error(`error docs: ${problem}`);
  if (problems.length > 0) process.exit(1);
  const expected = renderDoc(entries);
  if (process.argv.includes('--write')) {
    writeFileSync(DOC, expected);
    console.log(`error docs: wrote ${relative(ROOT, DOC)} (${entries.length} messages)`);
  } else {
    let actual = '';
    try {
      actual = readFileSync(DOC, 'utf8');
    } catch {
      // Reported below as every id missing.
    }
    if (actual !== expected) {
      const ids = (text) => new Set([...text.matchAll(/^\| `([0-9a-z]{3})` \|/gm)].map((m) => m[1]));
      const have = ids(actual);
      const want = ids(expected);
      for (const id of want) if (!have.has(id)) console.error(`error docs: id ${id} missing from docs/errors.md`);
      for (const id of have) if (!want.has(id)) console.error(`error docs: id ${id} in docs/errors.md is no longer in the sources`);
      console.error('error docs: docs/errors.md is stale: run `node scripts/error-docs.mjs --write`');
      process.exit(1);
    }
    console.log(`error docs: docs/errors.md lists the ${entries.length} messages of the sources`);
  }
}
