// Keeps the README's API section in step with the package's type declarations (dist/types, from
// `npm run build`), so the docs cannot drift. `node scripts/check-api-docs.mjs`; part of `npm test`.
//
// The declarations in the ```ts blocks of README.md's `## API` section (interfaces, classes,
// functions, type aliases; comments are free text) are compared with the exports of the entries in
// ENTRIES. A subsection headed with another entry (### `bearer-sw/server`, whose section shows
// usage rather than declarations) is left out and named as not checked; a subsection without an
// entry in its heading (### Refresh) belongs to the entry above it.
// - every export of either entry is declared in the README, and everything declared there is exported;
// - an interface has the same members, each optional (`?`) or not as in the declarations;
// - a class has the same public members (the constructor aside) and the same `extends`;
// - a function has the same parameters, in order, optional or not;
// - a type alias that is a union of string literals (the error codes) has the same members.
// Exit code 1 with one line per difference.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = {
  'bearer-sw/worker': 'dist/types/worker/index.d.ts',
  'bearer-sw/worker/login': 'dist/types/worker/login/index.d.ts',
  'bearer-sw/worker/workbox': 'dist/types/worker/workbox-composition.d.ts',
  'bearer-sw/client': 'dist/types/client/index.d.ts',
  'bearer-sw/vite': 'dist/types/vite/index.d.ts',
};

/**
 * The ```ts blocks of the README's `## API` section that belong to a checked entry, as one
 * TypeScript source, and the entries whose subsections were left out.
 */
export function readmeApiSource(markdown) {
  const start = markdown.indexOf('\n## API\n');
  if (start === -1) throw new Error('README.md has no "## API" section');
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  const blocks = [];
  const skipped = new Set();
  let entry = null;
  for (const part of section.split(/\n(?=### )/)) {
    const named = /^### `(bearer-sw\/[a-z/-]+)`/.exec(part)?.[1];
    if (named !== undefined) entry = named;
    if (entry !== null && !(entry in ENTRIES)) {
      skipped.add(entry);
      continue;
    }
    blocks.push(...[...part.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]));
  }
  return { source: blocks.join('\n'), skipped: [...skipped] };
}

const isOptional = (node) => node.questionToken !== undefined;
const nameOf = (node) => (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) ? node.name.text : undefined);

/** What a declaration says, in a comparable shape (the same for the README and the .d.ts). */
function describe(node) {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) {
    return { kind: 'interface', members: node.members.filter((m) => nameOf(m)).map((m) => `${nameOf(m)}${isOptional(m) ? '?' : ''}`).sort() };
  }
  if (ts.isClassDeclaration(node)) {
    const members = node.members
      .filter((m) => !ts.isConstructorDeclaration(m) && nameOf(m) !== undefined && !ts.isPrivateIdentifier(m.name))
      .filter((m) => !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)))
      .map((m) => nameOf(m))
      .sort();
    const heritage = node.heritageClauses?.flatMap((h) => h.types.map((t) => t.expression.getText())) ?? [];
    return { kind: 'class', members: [...new Set(members)], extends: heritage };
  }
  if (ts.isFunctionDeclaration(node)) {
    return { kind: 'function', parameters: node.parameters.map((p) => `${p.name.getText()}${isOptional(p) || p.initializer ? '?' : ''}`) };
  }
  if (ts.isTypeAliasDeclaration(node)) {
    const type = node.type;
    if (ts.isUnionTypeNode(type) && type.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) {
      return { kind: 'union', members: type.types.map((t) => t.literal.text).sort() };
    }
    return { kind: 'type' };
  }
  return undefined;
}

/** Top-level declarations of the README's API blocks, by name. */
function readmeDeclarations(source) {
  const file = ts.createSourceFile('README-api.ts', source, ts.ScriptTarget.Latest, true);
  const problems = [];
  const found = new Map();
  for (const statement of file.statements) {
    const name = nameOf(statement);
    const description = describe(statement);
    if (name === undefined || description === undefined) {
      problems.push(`README API block: cannot read "${statement.getText().slice(0, 60)}"`);
      continue;
    }
    // A function declared twice (overloads) or an interface written in two places: first one wins.
    if (!found.has(name)) found.set(name, description);
  }
  return { found, problems };
}

/** The exports of the built entries, by name, described from their declarations. */
function exportedDeclarations() {
  const files = Object.values(ENTRIES).map((file) => join(ROOT, file));
  const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.webworker.importscripts.d.ts'] });
  const checker = program.getTypeChecker();
  const exports = new Map();
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`${file} is missing: run npm run build first`);
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declarations = target.declarations ?? [];
      // A class merged with an interface (Session): the class is what the README shows.
      const declaration = declarations.find(ts.isClassDeclaration) ?? declarations.find(ts.isFunctionDeclaration) ?? declarations[0];
      let description = describe(declaration);
      if (description?.kind === 'interface' && declarations.length > 1) {
        description = { kind: 'interface', members: [...new Set(declarations.flatMap((d) => describe(d)?.members ?? []))].sort() };
      }
      if (description?.kind === 'type' && ts.isTypeAliasDeclaration(declaration)) {
        // A derived union (ErrorCode is `(typeof ERROR_CODES)[number]`): resolve it.
        const type = checker.getTypeAtLocation(declaration);
        if (type.isUnion() && type.types.every((t) => t.isStringLiteral())) description = { kind: 'union', members: type.types.map((t) => t.value).sort() };
      }
      exports.set(symbol.name, description);
    }
  }
  return exports;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Every difference between the README's API section and the exports; empty when in step. */
export function compareApiDocs(markdown) {
  const { source, skipped } = readmeApiSource(markdown);
  const { found, problems } = readmeDeclarations(source);
  for (const entry of skipped) console.log(`api docs: not checked: ${entry} (not in ENTRIES of scripts/check-api-docs.mjs)`);
  const exported = exportedDeclarations();
  for (const [name, actual] of exported) {
    const documented = found.get(name);
    if (documented === undefined) {
      problems.push(`${name}: exported but not declared in the README's API section`);
      continue;
    }
    if (actual === undefined) continue;
    if (documented.kind !== actual.kind && !(documented.kind === 'type' && actual.kind === 'union')) {
      problems.push(`${name}: the README declares a ${documented.kind}, the package exports a ${actual.kind}`);
    } else if (documented.kind !== 'type' && !same(documented, actual)) {
      problems.push(`${name}: README ${JSON.stringify(documented)} ≠ package ${JSON.stringify(actual)}`);
    }
  }
  for (const name of found.keys()) if (!exported.has(name)) problems.push(`${name}: declared in the README's API section but not exported`);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = compareApiDocs(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  for (const problem of problems) console.error(`api docs: ${problem}`);
  if (problems.length > 0) {
    console.error(`api docs: ${problems.length} difference(s) between README.md (## API) and dist/types`);
    process.exit(1);
  }
  console.log(`api docs: README.md's API section matches the exports of ${Object.keys(ENTRIES).join(', ')}`);
}
