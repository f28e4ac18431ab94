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

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'static', 'workspace', 'build');
const MANIFEST = 'bundle.json';

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
});

const files = {};
for (const name of readdirSync(outdir).sort()) {
  const data = readFileSync(join(outdir, name));
  files[name] = { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}
writeFileSync(join(outdir, MANIFEST), JSON.stringify({ files }, null, 2) + '\n');
for (const [name, { bytes }] of Object.entries(files)) console.log(`${name.padEnd(28)} ${bytes} bytes`);
