// The nodes and relationships found in a result, drawn as an SVG (direction kept by arrowheads), laid out
// by d3-force. A node value is {identity, labels, properties}, a relationship {identity, type,
// start_identity, end_identity, properties}, a path {nodes, relationships}; they may sit anywhere in a row,
// inside lists and maps too. Every text goes in through textContent.
import { forceSimulation, forceLink, forceManyBody, forceCenter, forceCollide } from 'd3-force';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_NODES = 500;

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

const caption = (n) => String(n.properties?.name ?? n.properties?.id ?? n.labels?.[n.labels.length - 1] ?? n.identity);
const svg = (tag, attrs = {}) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
};

// Draws into `container`; returns a short Chinese line saying what was drawn.
export function drawGraph(container, rows) {
  container.replaceChildren();
  const found = graphOf(rows);
  if (!found.nodes.length) {
    container.appendChild(document.createElement('p')).textContent = '结果中没有节点或关系，无法画图。';
    return;
  }
  const shown = found.nodes.slice(0, MAX_NODES);
  const ids = new Set(shown.map((n) => n.identity));
  const nodes = shown.map((n) => ({ id: n.identity, n }));
  const links = found.relationships
    .filter((r) => ids.has(r.start_identity) && ids.has(r.end_identity))
    .map((r) => ({ source: r.start_identity, target: r.end_identity, r }));
  const note = container.appendChild(document.createElement('p'));
  note.className = 'console-graph-note';
  note.textContent = `${shown.length} 个节点，${links.length} 条关系`
    + (found.nodes.length > MAX_NODES ? `（共 ${found.nodes.length} 个节点，只画前 ${MAX_NODES} 个）` : '');

  const width = Math.max(600, container.clientWidth || 900);
  const height = 520;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'console-graph', role: 'img' });
  const defs = root.appendChild(svg('defs'));
  const marker = defs.appendChild(svg('marker', { id: 'console-arrow', viewBox: '0 -5 10 10', refX: '20', refY: '0',
    markerWidth: '7', markerHeight: '7', orient: 'auto' }));
  marker.appendChild(svg('path', { d: 'M0,-5L10,0L0,5', class: 'console-graph-arrow' }));
  const edgeLayer = root.appendChild(svg('g'));
  const nodeLayer = root.appendChild(svg('g'));
  const edges = links.map((l) => {
    const g = edgeLayer.appendChild(svg('g', { class: 'console-graph-rel' }));
    const line = g.appendChild(svg('line', { 'marker-end': 'url(#console-arrow)' }));
    const text = g.appendChild(svg('text', { 'text-anchor': 'middle' }));
    text.textContent = l.r.type;
    g.appendChild(svg('title')).textContent = l.r.type + ' ' + JSON.stringify(l.r.properties ?? {});
    return { l, line, text };
  });
  const labels = [...new Set(shown.map((n) => n.labels[n.labels.length - 1] ?? ''))];
  const dots = nodes.map((d) => {
    const label = d.n.labels[d.n.labels.length - 1] ?? '';
    const g = nodeLayer.appendChild(svg('g', { class: `console-graph-node console-graph-c${labels.indexOf(label) % 8}` }));
    g.appendChild(svg('circle', { r: '10' }));
    const text = g.appendChild(svg('text', { x: '13', y: '4' }));
    text.textContent = caption(d.n);
    g.appendChild(svg('title')).textContent = `(:${d.n.labels.join(':')}) ` + JSON.stringify(d.n.properties ?? {});
    return { d, g };
  });

  const sim = forceSimulation(nodes)
    .force('link', forceLink(links).id((d) => d.id).distance(70))
    .force('charge', forceManyBody().strength(-120))
    .force('center', forceCenter(width / 2, height / 2))
    .force('collide', forceCollide(14))
    .stop();
  sim.tick(Math.min(300, 60 + nodes.length));
  // fit the layout into the picture (room on the right for the captions), never enlarging more than 2.5×
  const xs = nodes.map((d) => d.x);
  const ys = nodes.map((d) => d.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min(2.5, (width - 200) / Math.max(1, x1 - x0), (height - 60) / Math.max(1, y1 - y0));
  const px = (x) => 40 + (x - x0) * scale + (width - 200 - (x1 - x0) * scale) / 2;
  const py = (y) => 30 + (y - y0) * scale + (height - 60 - (y1 - y0) * scale) / 2;
  for (const { d, g } of dots) g.setAttribute('transform', `translate(${px(d.x)},${py(d.y)})`);
  for (const { l, line, text } of edges) {
    const [x1, y1, x2, y2] = [px(l.source.x), py(l.source.y), px(l.target.x), py(l.target.y)];
    line.setAttribute('x1', x1); line.setAttribute('y1', y1);
    line.setAttribute('x2', x2); line.setAttribute('y2', y2);
    text.setAttribute('x', (x1 + x2) / 2); text.setAttribute('y', (y1 + y2) / 2 - 3);
  }
  container.appendChild(root);
}
