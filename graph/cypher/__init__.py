"""The Cypher dialect: an analyst's Neo4j statement turned into what the embedded engine runs.

* ``cypher_text`` — a lexer that knows strings, comments, backticks and parameters, and reads a
  statement as a whole (its clauses, the names it declares and references);
* ``cypher_rewrites`` — the rewrites of Neo4j habits FalkorDB lacks, each announced as a note;
* ``habits`` — ``run_cypher``: the rewrites, the answers jjjkg gives itself (``SHOW INDEXES`` …), the
  hints and notes that say where FalkorDB differs.

Readers: the command line (``jjjkg cypher``, its shell, saved queries); the embedded engine reads
``cypher_text.uses_load_csv``.
"""
