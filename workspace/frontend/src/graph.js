// The graph tab of a result: its nodes and relationships drawn by the views' own page (vis-network and
// page.js, served by the workspace), in a frame. A node value is {identity, id, labels, properties}, a
// relationship {identity, type, start_identity, end_identity, …}, a path {nodes, relationships}; they may sit
// anywhere in a row, inside lists and maps too. Only what finds each node in the graph (its id and
// labels, its name for a node the graph does not hold) and each relationship's type and ends go to the
// server (POST /api/console/graph), which answers the address of the drawing. Every text goes in through
// textContent.
import { api } from './api.js';

// the most nodes the server draws (it says so in the drawing when a result has more)
export const MAX_NODES = 500;
const MAX_RELATIONSHIPS = 20000;

const isNode = (v) => v && typeof v === 'object' && Array.isArray(v.labels) && 'identity' in v;
const isRel = (v) => v && typeof v === 'object' && typeof v.type === 'string' && 'start_identity' in v;

export function graphOf(rows) {
  const nodes = new Map();
  const rels = new Map();
  const visit = (v) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isNode(v)) nodes.has(v.identity) || nodes.set(v.identity, v);
    else if (isRel(v)) rels.has(v.identity) || rels.set(v.identity, v);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  rows.forEach(visit);
  return { nodes: [...nodes.values()], relationships: [...rels.values()] };
}

const nameOf = (n) => {
  const name = n.properties?.name ?? n.id ?? n.properties?.id;
  return typeof name === 'string' || typeof name === 'number' ? String(name).slice(0, 200) : null;
};

// What the server needs to draw a result: the first MAX_NODES nodes and the relationships between them.
export function graphRequest(rows) {
  const found = graphOf(rows);
  const shown = found.nodes.slice(0, MAX_NODES);
  const ids = new Set(shown.map((n) => n.identity));
  const relationships = found.relationships
    .filter((r) => ids.has(r.start_identity) && ids.has(r.end_identity))
    .slice(0, MAX_RELATIONSHIPS)
    .map((r) => ({ identity: r.identity, type: r.type, start_identity: r.start_identity, end_identity: r.end_identity }));
  return {
    nodes: shown.map((n) => ({ identity: n.identity, id: n.id ?? n.properties?.id ?? null, labels: n.labels, name: nameOf(n) })),
    relationships,
    total_nodes: found.nodes.length,
  };
}

// Draws into `container`: a line saying what is drawn, and the drawing in a frame.
export async function drawGraph(container, rows) {
  container.replaceChildren();
  const request = graphRequest(rows);
  const note = container.appendChild(document.createElement('p'));
  note.className = 'console-graph-note';
  if (!request.nodes.length) {
    note.textContent = '结果中没有节点或关系，无法画图。';
    return null;
  }
  note.textContent = '正在画图……';
  let answer;
  try {
    answer = await api('POST', '/api/console/graph', request);
  } catch (err) {
    note.textContent = '画图失败：' + err.message;
    note.classList.add('console-error');
    return null;
  }
  // a same-origin address from the server; anything else is not loaded
  if (typeof answer?.url !== 'string' || !answer.url.startsWith('/console/graph/')) {
    note.textContent = '画图失败：服务器的回答有误。';
    return null;
  }
  note.textContent = `${answer.nodes} 个节点，${answer.edges} 条关系`
    + (answer.total > answer.nodes ? `（结果共有 ${answer.total} 个节点，只画前 ${answer.nodes} 个）` : '')
    + '。单击节点突出其关系，双击机构打开其页面；右上角可保存为 PNG。';
  const frame = container.appendChild(document.createElement('iframe'));
  frame.className = 'console-graph-frame';
  frame.title = '查询结果的图';
  frame.src = answer.url;
  return answer;
}
