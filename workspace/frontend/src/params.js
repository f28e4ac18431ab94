// The parameters panel (the console's `:param`): typed values — 文本, 数字, 列表, 映射 — kept per account on the
// server (GET / PUT /api/console/params as {params: [{name, type, value}]}).
import { api } from './api.js';

export const TYPES = { text: '文本', number: '数字', list: '列表', map: '映射' };
// as the server checks it (workspace/console.py): ASCII, as a $parameter is written in FalkorDB's Cypher
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function typeOf(value) {
  if (typeof value === 'number') return 'number';
  if (Array.isArray(value)) return 'list';
  if (value && typeof value === 'object') return 'map';
  return 'text';
}

// The text typed for a value of `type` → the value, or throws an Error in Chinese.
export function parseValue(type, text) {
  if (type === 'text') return text;
  if (type === 'number') {
    const n = Number(text.trim());
    if (!text.trim() || !Number.isFinite(n)) throw new Error('应为数字，例如 42 或 3.5');
    return n;
  }
  let v;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(type === 'list' ? '应为 JSON 列表，例如 ["CH_H2", "CH_IC"]' : '应为 JSON 映射，例如 {"province": "北京"}');
  }
  if (type === 'list' && !Array.isArray(v)) throw new Error('应为 JSON 列表，例如 [1, 2]');
  if (type === 'map' && (v === null || typeof v !== 'object' || Array.isArray(v))) {
    throw new Error('应为 JSON 映射，例如 {"k": 1}');
  }
  return v;
}

const shown = (type, value) => (type === 'text' ? String(value ?? '') : JSON.stringify(value));

export class ParamsPanel {
  constructor(container, onChange) {
    this.container = container;
    this.onChange = onChange;
    this.rows = [];
    this.saveTimer = null;
    container.replaceChildren();
    const title = container.appendChild(document.createElement('h3'));
    title.textContent = '参数';
    this.list = container.appendChild(document.createElement('div'));
    this.list.className = 'console-params-list';
    const add = container.appendChild(document.createElement('button'));
    add.type = 'button';
    add.textContent = '添加参数';
    add.addEventListener('click', () => this.addRow('', 'text', '').name.focus());
    this.status = container.appendChild(document.createElement('p'));
    this.status.className = 'console-params-status';
  }

  async load() {
    try {
      const data = await api('GET', '/api/console/params');
      this.set((data?.params ?? []).map((p) => [p.name, p.type in TYPES ? p.type : typeOf(p.value), p.value]));
    } catch (err) {
      this.status.textContent = '参数读取失败：' + err.message;
    }
  }

  set(entries) {
    this.rows = [];
    this.list.replaceChildren();
    for (const [name, type, value] of entries) this.addRow(name, type, shown(type, value));
    this.onChange?.();
  }

  // {name: value} given as a plain map (a history entry's parameters): types follow the values
  setValues(values) {
    this.set(Object.entries(values ?? {}).map(([k, v]) => [k, typeOf(v), v]));
    this.scheduleSave();
  }

  addRow(name, type, text) {
    const row = document.createElement('div');
    row.className = 'console-param';
    const nameInput = row.appendChild(document.createElement('input'));
    nameInput.placeholder = '名称';
    nameInput.value = name;
    nameInput.setAttribute('aria-label', '参数名称');
    const select = row.appendChild(document.createElement('select'));
    select.setAttribute('aria-label', '参数类型');
    for (const [t, label] of Object.entries(TYPES)) {
      const o = select.appendChild(document.createElement('option'));
      o.value = t;
      o.textContent = label;
    }
    select.value = type;
    const valueInput = row.appendChild(document.createElement('input'));
    valueInput.placeholder = '值';
    valueInput.value = text;
    valueInput.setAttribute('aria-label', '参数值');
    const remove = row.appendChild(document.createElement('button'));
    remove.type = 'button';
    remove.textContent = '删除';
    const problem = row.appendChild(document.createElement('span'));
    problem.className = 'console-param-problem';
    const entry = { row, name: nameInput, type: select, value: valueInput, problem };
    const changed = () => {
      this.check(entry);
      this.onChange?.();
      this.scheduleSave();
    };
    for (const input of [nameInput, valueInput]) input.addEventListener('input', changed);
    select.addEventListener('change', changed);
    remove.addEventListener('click', () => {
      this.rows = this.rows.filter((r) => r !== entry);
      row.remove();
      changed();
    });
    this.rows.push(entry);
    this.list.appendChild(row);
    this.check(entry);
    return entry;
  }

  check(entry) {
    const name = entry.name.value.trim();
    try {
      if (!NAME.test(name)) throw new Error('名称应以英文字母或下划线开头，只含英文字母、数字和下划线，例如 sector');
      entry.parsed = parseValue(entry.type.value, entry.value.value);
      entry.problem.textContent = '';
      entry.ok = true;
    } catch (err) {
      entry.problem.textContent = name || entry.value.value ? err.message : '';
      entry.ok = false;
    }
    return entry.ok;
  }

  // {name: value} of every well-formed row
  values() {
    return Object.fromEntries(this.rows.filter((r) => this.check(r)).map((r) => [r.name.value.trim(), r.parsed]));
  }

  // [{name, type}] of every well-formed row: what a saved query declares
  declared() {
    return this.rows.filter((r) => this.check(r))
      .map((r) => ({ name: r.name.value.trim(), type: r.type.value, value: r.parsed }));
  }

  scheduleSave() {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(async () => {
      try {
        await api('PUT', '/api/console/params', { params: this.declared() });
        this.status.textContent = '';
      } catch (err) {
        this.status.textContent = '参数保存失败：' + err.message;
      }
    }, 500);
  }
}
