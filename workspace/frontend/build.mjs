// Bundles the console's front end into ../static/workspace/build/ (git-ignored; the wheel carries it):
//   console.js      the editor and the page (CodeMirror 6, Neo4j's parser for highlighting, completion and
//                   signature help) — loaded by the /console page
//   console.css     its stylesheet
//   lint-worker.js  Neo4j's semantic analyser, loaded lazily in a Web Worker once the editor is up
//   bundle.json     every file above with its SHA-256, which `jjjkg serve` checks before it starts
// Run through `make console-bundle` (npm ci from the pinned package-lock.json first). Nothing is fetched
// at run time, and nothing here needs eval, so the page runs under `default-src 'self'`.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { testData } from '@neo4j-cypher/language-support';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'static', 'workspace', 'build');
const MANIFEST = 'bundle.json';

// Neo4j's built-in functions, with their signatures and descriptions, for signature help and completion:
// taken at build time from the pinned package's own registry (dumped from a real Neo4j), never fetched
const KEEP = ['name', 'category', 'description', 'signature', 'argumentDescription', 'returnDescription',
  'aggregating', 'isBuiltIn', 'isDeprecated'];
const builtins = Object.values(testData.mockSchema.functions['CYPHER 5'])
  .filter((f) => f.isBuiltIn && !f.isDeprecated)
  .map((f) => Object.fromEntries(KEEP.map((k) => [k, f[k]])));
const builtinFunctions = {
  name: 'neo4j-builtin-functions',
  setup(b) {
    b.onResolve({ filter: /^virtual:neo4j-functions$/ }, (args) => ({ path: args.path, namespace: 'neo4j-functions' }));
    b.onLoad({ filter: /.*/, namespace: 'neo4j-functions' }, () => ({ contents: JSON.stringify(builtins), loader: 'json' }));
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

await build({
  entryPoints: { console: join(here, 'src', 'console.js'), 'lint-worker': join(here, 'src', 'lint-worker.js') },
  outdir,
  bundle: true,
  format: 'esm',
  minify: true,
  // Neo4j's parser uses iterator helpers (Iterator.prototype.toArray): browsers of 2025 on
  target: ['chrome122', 'firefox131', 'safari18.4'],
  legalComments: 'linked',
  logLevel: 'warning',
  charset: 'utf8',
  plugins: [builtinFunctions],
});

const files = {};
for (const name of readdirSync(outdir).sort()) {
  const data = readFileSync(join(outdir, name));
  files[name] = { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}
writeFileSync(join(outdir, MANIFEST), JSON.stringify({ files }, null, 2) + '\n');
for (const [name, { bytes }] of Object.entries(files)) console.log(`${name.padEnd(28)} ${bytes} bytes`);
