// Cypher in CodeMirror 6 through Neo4j's language support: highlighting from its lexer, completion and
// signature help from its parser and the store's schema, and its semantic lint from a lazily started
// worker. The lint is advice: FalkorDB's differences win over it, and the server's error is authoritative
// (shown by serverError below).
import { autocomplete, signatureHelp, highlightSyntax } from '@neo4j-cypher/language-support';
import { StateEffect, StateField, RangeSetBuilder } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, showTooltip } from '@codemirror/view';
import { linter } from '@codemirror/lint';
import { autocompletion } from '@codemirror/autocomplete';
import builtinFunctions from 'virtual:neo4j-functions';

const VERSIONS = ['CYPHER 5', 'CYPHER 25'];

// The page's schema ({labels, relationshipTypes, propertyKeys, functions, procedures}) as the language
// support reads it; functions and procedures come as arrays (of names or of Neo4j's descriptions), the
// functions after Neo4j's built-in ones (bundled from the package's registry by build.mjs).
export function toDbSchema(schema, parameters) {
  const registry = (entries) => {
    const byName = {};
    for (const entry of entries ?? []) {
      const e = typeof entry === 'string' ? { name: entry } : entry;
      if (!e || typeof e.name !== 'string') continue;
      byName[e.name] = {
        category: '', description: '', isBuiltIn: true, argumentDescription: [], returnDescription: '',
        signature: e.name + '()', aggregating: false, isDeprecated: false, mode: 'READ', option: {},
        returnDescriptionList: [], ...e,
      };
    }
    return Object.fromEntries(VERSIONS.map((v) => [v, byName]));
  };
  return {
    labels: schema.labels ?? [],
    relationshipTypes: schema.relationshipTypes ?? [],
    propertyKeys: schema.propertyKeys ?? [],
    functions: registry([...builtinFunctions, ...(schema.functions ?? [])]),
    procedures: registry(schema.procedures),
    parameters: parameters ?? {},
    defaultLanguage: 'CYPHER 5',
  };
}

// --- highlighting -----------------------------------------------------------------------------------
const tokenMarks = {};
const markFor = (type) => (tokenMarks[type] ??= Decoration.mark({ class: 'cm-cypher-' + type }));

function decorate(doc) {
  const builder = new RangeSetBuilder();
  let tokens;
  try {
    tokens = highlightSyntax(doc.toString());
  } catch {
    return Decoration.none;
  }
  let last = 0;
  for (const t of tokens) {
    const from = t.position.startOffset;
    const to = from + t.length;
    if (t.tokenType === 'none' || from < last || to > doc.length || to <= from) continue;
    builder.add(from, to, markFor(t.tokenType));
    last = to;
  }
  return builder.finish();
}

const highlighting = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = decorate(view.state.doc);
    }
    update(update) {
      if (update.docChanged) this.decorations = decorate(update.state.doc);
    }
  },
  { decorations: (v) => v.decorations },
);

// --- completion -------------------------------------------------------------------------------------
// vscode-languageserver CompletionItemKind → CodeMirror's completion types (icons)
const KIND = { 2: 'method', 3: 'function', 5: 'property', 6: 'variable', 7: 'type', 9: 'namespace', 10: 'property',
  12: 'constant', 14: 'keyword', 20: 'enum', 21: 'constant', 25: 'type' };
const SNIPPET = 15;

function completionSource(getDbSchema) {
  return (context) => {
    const word = context.matchBefore(/[\p{L}\p{N}_`]*/u);
    const before = context.state.sliceDoc(Math.max(0, word.from - 1), word.from);
    if (!context.explicit && word.from === word.to && !/[:.$]/.test(before)) return null;
    let items;
    try {
      items = autocomplete(context.state.doc.toString(), getDbSchema(), {
        caretPosition: context.pos, manual: context.explicit,
      });
    } catch {
      return null;
    }
    const options = items
      .filter((item) => item.kind !== SNIPPET)
      .map((item) => ({
        label: item.label,
        apply: item.insertText ?? item.label,
        type: KIND[item.kind] ?? 'text',
        detail: item.detail ?? item.signature,
        info: typeof item.documentation === 'string' ? item.documentation : item.documentation?.value,
      }));
    return { from: word.from, options, validFor: /^[\p{L}\p{N}_`]*$/u };
  };
}

// --- signature help ---------------------------------------------------------------------------------
function signatureTooltip(state, getDbSchema) {
  const sel = state.selection.main;
  if (!sel.empty) return null;
  let help;
  try {
    help = signatureHelp(state.doc.toString(), getDbSchema(), { caretPosition: sel.head });
  } catch {
    return null;
  }
  const sig = help?.signatures?.[help.activeSignature ?? 0];
  if (!sig) return null;
  return {
    pos: sel.head,
    above: true,
    create() {
      const dom = document.createElement('div');
      dom.className = 'cm-cypher-signature';
      const head = dom.appendChild(document.createElement('div'));
      const active = sig.parameters?.[help.activeParameter ?? sig.activeParameter ?? 0];
      const label = sig.label;
      const range = Array.isArray(active?.label) ? active.label
        : typeof active?.label === 'string' && label.indexOf(active.label) >= 0
          ? [label.indexOf(active.label), label.indexOf(active.label) + active.label.length] : null;
      if (range) {
        head.append(label.slice(0, range[0]));
        head.appendChild(document.createElement('b')).textContent = label.slice(range[0], range[1]);
        head.append(label.slice(range[1]));
      } else head.textContent = label;
      const doc = typeof sig.documentation === 'string' ? sig.documentation : sig.documentation?.value;
      if (doc) dom.appendChild(document.createElement('div')).textContent = doc;
      return { dom };
    },
  };
}

function signatures(getDbSchema) {
  return StateField.define({
    create: (state) => signatureTooltip(state, getDbSchema),
    update(value, tr) {
      if (!tr.docChanged && !tr.selection) return value;
      return signatureTooltip(tr.state, getDbSchema);
    },
    provide: (f) => showTooltip.from(f),
  });
}

// --- the lazy semantic lint -------------------------------------------------------------------------
let worker = null;
let nextId = 0;
const pending = new Map();

function lintWorker() {
  if (worker) return worker;
  worker = new Worker(new URL('./lint-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const resolve = pending.get(data.id);
    pending.delete(data.id);
    resolve?.(data.diagnostics ?? []);
  };
  worker.onerror = () => {
    for (const resolve of pending.values()) resolve([]);
    pending.clear();
  };
  return worker;
}

function semanticLint(getDbSchema) {
  return linter(
    (view) => {
      const query = view.state.doc.toString();
      if (!query.trim()) return [];
      const id = ++nextId;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        lintWorker().postMessage({ id, query, dbSchema: getDbSchema() });
      }).then((found) =>
        found
          .filter((d) => d.to <= view.state.doc.length)
          .map((d) => ({
            from: d.from,
            to: Math.max(d.to, d.from),
            severity: d.severity === 1 ? 'warning' : 'info',
            source: 'Neo4j',
            message: '建议（Neo4j 语法检查，FalkorDB 以服务器为准）：' + d.message,
          })),
      );
    },
    { delay: 600 },
  );
}

// --- the server's error, marked where it points -----------------------------------------------------
export const setServerError = StateEffect.define();
const errorMark = Decoration.mark({ class: 'cm-server-error' });
const errorLine = Decoration.line({ class: 'cm-server-error-line' });

export const serverError = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    for (const e of tr.effects) {
      if (!e.is(setServerError)) continue;
      if (!e.value) return Decoration.none;
      const { line, column } = e.value;
      const doc = tr.state.doc;
      const l = doc.line(Math.min(Math.max(1, line), doc.lines));
      const from = Math.min(l.from + Math.max(0, (column ?? 1) - 1), l.to);
      const to = Math.min(Math.max(from + 1, doc.sliceString(from, l.to).search(/\s|$/) + from), l.to);
      const marks = [errorLine.range(l.from)];
      if (to > from) marks.push(errorMark.range(from, to));
      return Decoration.set(marks, true);
    }
    return tr.docChanged ? Decoration.none : value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export function cypher(getDbSchema) {
  return [
    highlighting,
    signatures(getDbSchema),
    autocompletion({ override: [completionSource(getDbSchema)], activateOnTyping: true }),
    semanticLint(getDbSchema),
    serverError,
  ];
}
