// Generate src/contract.ts from the backend's JSON Schema (insights/schema/contract.json).
// `--check` regenerates into memory and fails when the committed file differs (stale types).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const schemaPath = resolve(here, '../../insights/schema/contract.json');
const args = process.argv.slice(2);
const check = args.includes('--check');
const out = resolve(here, '..', args.find((a) => !a.startsWith('--')) ?? 'src/contract.ts');

const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// Pydantic titles every property; without those titles the generator inlines property types
// instead of naming one alias per field (Name1, Name2, ...).
function untitle(node, keep) {
  if (Array.isArray(node)) return node.map((n) => untitle(n, false));
  if (node === null || typeof node !== 'object') return node;
  const copy = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'title' && !keep) continue;
    copy[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, anyToUnknown(untitle(v, false))]))
      : untitle(value, false);
  }
  return copy;
}
// A field typed `Any` is an empty schema, which the generator would read as an object.
function anyToUnknown(node) {
  const keys = Object.keys(node).filter((k) => k !== 'default' && k !== 'description');
  return keys.length === 0 ? { ...node, tsType: 'unknown' } : node;
}
schema.$defs = Object.fromEntries(Object.entries(schema.$defs).map(([k, v]) => [k, untitle(v, true)]));
// The schema is a bag of $defs with no root type: emit every definition, and an empty root.
const root = { ...schema, title: 'Contract', type: 'object', properties: {}, additionalProperties: false };
const banner = '/* Generated from insights/schema/contract.json by `npm run gen:types`; do not edit. */';
const ts = await compile(root, 'Contract', {
  bannerComment: banner,
  unreachableDefinitions: true,
  additionalProperties: false,
  format: true,
  style: { singleQuote: true },
});

if (check) {
  let current = '';
  try { current = readFileSync(out, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== ts) {
    console.error(`${out} is stale: run \`npm run gen:types\` (the backend's contract.json changed).`);
    process.exit(1);
  }
  console.log('contract.ts is up to date');
} else {
  writeFileSync(out, ts);
  console.log(`wrote ${out}`);
}
