// Shortens the names a wasm-bindgen module and its glue use for each other, as Emscripten
// does: binaryen's `--minify-imports-and-exports-and-modules` gives every import and export of
// the module a name of a letter or two (all imports from one module, "a") and prints what it
// renamed; this script renames the same in the glue and its type declarations. wasm-bindgen's
// names carry 16-digit hashes and its closures' export names run to 200 characters, so this
// takes a few KB off both files. Run on wasm-bindgen's unminified glue, before esbuild.
//
//   node scripts/minify-wasm-names.mjs <mapping printed by wasm-opt> <out dir> <out name>
//
// Fails, leaving the glue unusable, if any name is not where wasm-bindgen's glue keeps it: a
// newer wasm-bindgen that changed its glue stops the build instead of shipping a module that
// cannot be instantiated.
import { readFileSync, writeFileSync } from 'node:fs';

const [mappingFile, dir, name] = process.argv.slice(2);
const mapping = readFileSync(mappingFile, 'utf8');
const imports = [...mapping.matchAll(/^\s*\["([^"]+)", "([^"]+)", "([^"]+)"\]/gm)].map((m) => m.slice(1));
const exports = [...mapping.matchAll(/^\s*\["([^"]+)", "([^"]+)"\]/gm)].map((m) => m.slice(1));
if (imports.length === 0 || exports.length === 0) {
  throw new Error(`${mappingFile}: no renamed imports or exports`);
}

const escape = (s) => s.replace(/[$]/g, '\\$&');

/** Replaces every match of `pattern` in `text` by `replace(match, …groups)`, failing when
 * there is none. (A function, because binaryen's short names may hold `$`.) */
function rename(text, pattern, replace, what) {
  const re = new RegExp(pattern, 'gm');
  if (!re.test(text)) throw new Error(`${name}: ${what} not found`);
  return text.replace(re, replace);
}

const glueFile = `${dir}/${name}.js`;
let glue = readFileSync(glueFile, 'utf8');

// The glue's own imports are keys of its `import0` object; the snippets' are their modules'
// namespace objects, named in the object `__wbg_get_imports` returns. Every import now comes
// from module "a", one object holding all of them.
const ownModule = `./${name}_bg.js`;
const snippetObjects = new Map(
  [...glue.matchAll(/^ {8}"(\.\/snippets\/[^"]+)": (import\d+),$/gm)].map((m) => [m[1], m[2]]),
);
const fromSnippets = [];
for (const [module, field, short] of imports) {
  if (module === ownModule) {
    glue = rename(glue, `^( {8})${escape(field)}: function`, (_, indent) => `${indent}${short}: function`, `import ${field}`);
  } else if (snippetObjects.has(module)) {
    fromSnippets.push(`${short}: ${snippetObjects.get(module)}.${field}`);
  } else {
    throw new Error(`${name}: import ${field} from unknown module ${module}`);
  }
}
glue = rename(
  glue,
  '^ {4}return \\{\\n {8}__proto__: null,\\n {8}"[^"]+_bg\\.js": import0,\\n(?: {8}"[^"]+": import\\d+,\\n)* {4}\\};$',
  () => `    return { a: Object.assign(import0, { ${fromSnippets.join(', ')} }) };`,
  'the imports object',
);

for (const [from, to] of exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(from)}\\b`, 'g'), () => `wasm.${to}`);
}
const shortExports = new Set(exports.map(([, to]) => to));
for (const [, used] of glue.matchAll(/\bwasm\.([\w$]+)/g)) {
  if (!shortExports.has(used)) throw new Error(`${name}: the glue uses export ${used}, which was not renamed`);
}
writeFileSync(glueFile, glue);

// The type declarations of the module's exports (`InitOutput`), kept true to the module.
const types = [
  [`${dir}/${name}.d.ts`, 'readonly '],
  [`${dir}/${name}_bg.wasm.d.ts`, 'export const '],
];
for (const [file, prefix] of types) {
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of exports) {
    text = text.replace(new RegExp(`^(\\s*${prefix})${escape(from)}:`, 'm'), (_, before) => `${before}${to}:`);
  }
  writeFileSync(file, text);
}
