// Neo4j's semantic analyser (several megabytes), in a worker the console starts once the editor is up,
// so typing never waits for it. In: {id, query, dbSchema}; out: {id, diagnostics: [{from, to, severity,
// message}]}, offsets into the query.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

self.onmessage = ({ data }) => {
  const { id, query, dbSchema } = data;
  let diagnostics = [];
  try {
    diagnostics = lintCypherQuery(query, dbSchema).diagnostics.map((d) => ({
      from: d.offsets.start,
      to: d.offsets.end,
      severity: d.severity,
      message: d.message,
    }));
  } catch {
    diagnostics = [];
  }
  self.postMessage({ id, diagnostics });
};
