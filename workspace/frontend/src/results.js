// A result in the console: its notes and warnings first, then tabs — a paged table (one page of rows in the
// DOM at a time, so 100,000 rows never freeze the page), the graph of its nodes and relationships, its
// JSON, and for EXPLAIN / PROFILE the plan as text. Every value goes in through textContent.
import { drawGraph } from './graph.js';

export const PAGE_ROWS = 100;

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const isNode = (v) => v && typeof v === 'object' && Array.isArray(v.labels) && 'identity' in v;
const isRel = (v) => v && typeof v === 'object' && typeof v.type === 'string' && 'start_identity' in v;

// A value as a cell shows it: text and numbers as they are, nodes and relationships in Cypher's pattern
// notation, lists and maps as JSON.
export function cellText(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v !== 'object') return String(v);
  if (isNode(v)) return `(:${v.labels.join(':')} ${JSON.stringify(v.properties ?? {})})`;
  if (isRel(v)) return `[:${v.type} ${JSON.stringify(v.properties ?? {})}]`;
  return JSON.stringify(v);
}

function planText(result) {
  if (Array.isArray(result.plan)) return result.plan.join('\n');
  return result.rows
    .map((r) => '    '.repeat(r.depth ?? 0) + r.operator + (r.details ? ' | ' + r.details : '')
      + (r.records !== undefined ? ` | Records produced: ${r.records}, Execution time: ${r.ms} ms` : ''))
    .join('\n');
}

function table(result, page) {
  const wrap = el('div', 'console-table');
  const pages = Math.max(1, Math.ceil(result.rows.length / PAGE_ROWS));
  const nav = el('div', 'console-pager');
  const prev = nav.appendChild(el('button', null, '上一页'));
  const where = nav.appendChild(el('span'));
  const next = nav.appendChild(el('button', null, '下一页'));
  prev.type = next.type = 'button';
  const t = el('table');
  const head = t.createTHead().insertRow();
  for (const c of result.columns) head.appendChild(el('th', null, c));
  const body = t.createTBody();
  const show = (p) => {
    page.value = Math.min(Math.max(0, p), pages - 1);
    const rows = result.rows.slice(page.value * PAGE_ROWS, (page.value + 1) * PAGE_ROWS);
    const trs = rows.map((row) => {
      const tr = document.createElement('tr');
      for (const c of result.columns) {
        const v = row[c];
        tr.appendChild(el('td', v === null || v === undefined ? 'console-null' : null, cellText(v)));
      }
      return tr;
    });
    body.replaceChildren(...trs);
    where.textContent = `第 ${page.value + 1} / ${pages} 页，共 ${result.rows.length} 行`;
    prev.disabled = page.value === 0;
    next.disabled = page.value >= pages - 1;
  };
  prev.addEventListener('click', () => show(page.value - 1));
  next.addEventListener('click', () => show(page.value + 1));
  show(page.value);
  if (pages > 1) wrap.appendChild(nav);
  wrap.appendChild(t);
  return wrap;
}

// Shows `result` ({columns, rows, notes, plan?, truncated?, elapsed_ms?}) in `container`.
export function showResult(container, result) {
  container.replaceChildren();
  const notes = result.notes ?? [];
  if (notes.length) {
    const ul = container.appendChild(el('ul', 'console-notes'));
    for (const n of notes) {
      // the command line's own words, under a Chinese lead: 说明 (a rewrite) or 警告 (check the statement)
      const warning = /^warning|^警告/.test(n);
      const li = ul.appendChild(el('li', warning ? 'console-warning' : null));
      li.appendChild(el('strong', null, warning ? '警告：' : '说明：'));
      li.append(n.replace(/^(note|warning):\s*/, ''));
    }
  }
  const isPlan = result.plan !== undefined;
  const summary = [isPlan ? `执行计划，${result.rows.length} 个操作` : `${result.rows.length} 行`];
  if (result.truncated) summary.push('结果已截断（超过行数上限）');
  if (result.elapsed_ms !== undefined) summary.push(`用时 ${result.elapsed_ms} 毫秒`);
  const bar = container.appendChild(el('p', 'console-summary', summary.join('，')));
  for (const [fmt, href] of Object.entries(result.downloads ?? {})) {
    // a same-origin path from the server; anything else is not offered
    if (typeof href !== 'string' || !href.startsWith('/console/download.')) continue;
    const a = bar.appendChild(el('a', 'console-download', `下载 ${fmt.toUpperCase()}`));
    a.href = href;
    a.setAttribute('download', '');
  }

  const tabs = container.appendChild(el('div', 'console-tabs'));
  tabs.setAttribute('role', 'tablist');
  const pane = container.appendChild(el('div', 'console-pane'));
  const page = { value: 0 };
  const views = {
    ...(isPlan ? { plan: ['执行计划', () => el('pre', 'console-plan', planText(result))] } : {}),
    table: ['表格', () => table(result, page)],
    graph: ['图', () => {
      const d = el('div', 'console-graph-pane');
      requestAnimationFrame(() => drawGraph(d, result.rows));
      return d;
    }],
    json: ['JSON', () => {
      const from = page.value * PAGE_ROWS;
      const rows = result.rows.slice(from, from + PAGE_ROWS);
      const d = el('div');
      if (result.rows.length > PAGE_ROWS) d.appendChild(el('p', 'console-summary',
        `第 ${from + 1}–${from + rows.length} 行（与表格的当前页相同）`));
      d.appendChild(el('pre', 'console-json', JSON.stringify(rows, null, 2)));
      return d;
    }],
  };
  const buttons = {};
  const open = (name) => {
    for (const [n, b] of Object.entries(buttons)) b.setAttribute('aria-selected', String(n === name));
    pane.replaceChildren(views[name][1]());
  };
  for (const [name, [label]] of Object.entries(views)) {
    const b = tabs.appendChild(el('button', 'console-tab', label));
    b.type = 'button';
    b.dataset.tab = name;
    b.setAttribute('role', 'tab');
    b.addEventListener('click', () => open(name));
    buttons[name] = b;
  }
  open(isPlan ? 'plan' : 'table');
}

export function showMessage(container, text, cls = 'console-error') {
  container.replaceChildren(el('p', cls, text));
}
