// Lints Cypher with Neo4j's own front-end (@neo4j-cypher/language-support), for tests/lint_cypher.py.
//
// One long-lived process, JSON lines both ways (UTF-8):
//   in, first line:  {"schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]}}
//   out:             {"ready": true, "version": "<package version>", "cypherVersions": ["CYPHER 5", ...]}
//   in, then:        {"query": "...", "parameters": {"name": sampleValue, ...}}
//   out, per query:  {"diagnostics": [{"severity": "error"|"warning", "message", "line", "column",
//                                      "offset", "cypherVersion"}]}
//                    or {"error": "..."} when the request itself is bad.
// Each query is linted once per Cypher version the package knows (Neo4j 5 and Neo4j 2025 both
// accept `CYPHER 5`; `CYPHER 25` is the newer language), so what we send parses on either.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  allCypherVersions,
  lintCypherQuery,
  testData,
} from '@neo4j-cypher/language-support';

const pkg = JSON.parse(
  readFileSync(
    new URL('./node_modules/@neo4j-cypher/language-support/package.json', import.meta.url),
    'utf8',
  ),
);

// Function and procedure registries. Without them the linter checks no function names at all, so
// a FalkorDB-only or APOC function would pass. The package ships a registry dumped from a real
// Neo4j (testData.mockSchema); keep its built-in functions and the built-in procedures
// (db.*, dbms.*, tx.*, cdc.*), i.e. what a plain Neo4j without plugins offers.
const BUILT_IN_PROCEDURE = /^(db|dbms|tx|cdc)\./;
function pick(registry, keep) {
  return Object.fromEntries(
    Object.entries(registry ?? {}).map(([version, entries]) => [
      version,
      Object.fromEntries(Object.entries(entries).filter(([, entry]) => keep(entry))),
    ]),
  );
}
const functions = pick(testData.mockSchema.functions, (f) => f.isBuiltIn === true);
const procedures = pick(testData.mockSchema.procedures, (p) => BUILT_IN_PROCEDURE.test(p.name));

const severityName = (s) => ({ 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' })[s] ?? String(s);

function lint(query, parameters, base) {
  const diagnostics = [];
  for (const cypherVersion of allCypherVersions) {
    const dbSchema = { ...base, parameters: parameters ?? {}, defaultLanguage: cypherVersion };
    for (const d of lintCypherQuery(query, dbSchema).diagnostics) {
      diagnostics.push({
        severity: severityName(d.severity),
        message: d.message,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        offset: d.offsets?.start ?? null,
        cypherVersion,
      });
    }
  }
  return diagnostics;
}

let base = null;
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    out({ error: `not JSON: ${err.message}` });
    continue;
  }
  if (base === null) {
    if (!request.schema) {
      out({ error: 'the first line must be {"schema": {...}}' });
      continue;
    }
    const s = request.schema;
    base = {
      labels: s.labels ?? [],
      relationshipTypes: s.relationshipTypes ?? [],
      propertyKeys: s.propertyKeys ?? [],
      functions,
      procedures,
    };
    out({ ready: true, version: pkg.version, cypherVersions: allCypherVersions });
    continue;
  }
  if (typeof request.query !== 'string') {
    out({ error: 'expected {"query": "...", "parameters": {...}}' });
    continue;
  }
  try {
    out({ diagnostics: lint(request.query, request.parameters, base) });
  } catch (err) {
    out({ error: `the linter failed: ${err.stack ?? err}` });
  }
}
