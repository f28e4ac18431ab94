// The analyst's console on /console: mounts the Cypher editor into #console-editor and wires 运行 / 取消,
// the parameters panel, the result, the history and 保存为查询 to the workspace's API. The page supplies
// the schema as JSON in <script type="application/json" id="console-schema">, the CSRF token in
// <meta name="csrf-token"> and the CSP nonce for CodeMirror's stylesheet in <meta name="csp-nonce">.
import './console.css';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection, placeholder } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { bracketMatching } from '@codemirror/language';
import { lintGutter } from '@codemirror/lint';
import { api, ApiError, cspNonce, newRunId } from './api.js';
import { cypher, setServerError, toDbSchema } from './cypher.js';
import { ParamsPanel } from './params.js';
import { showMessage, showResult } from './results.js';

const $ = (id) => document.getElementById(id);
// the roles as the workspace names them everywhere (workspace/accounts.py ROLE_ZH)
const ROLES = { viewer: '浏览者（规划人员）', analyst: '分析人员', editor: '编辑', admin: '管理员' };

function readSchema() {
  try {
    return JSON.parse($('console-schema')?.textContent || '{}');
  } catch {
    return {};
  }
}

function button(text, cls) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (cls) b.className = cls;
  return b;
}

export function mountConsole() {
  const host = $('console-editor');
  const resultBox = $('console-result');
  const runButton = document.querySelector('[data-testid=console-run]');
  const cancelButton = document.querySelector('[data-testid=console-cancel]');
  if (!host || !resultBox || !runButton) return null;

  const schema = readSchema();
  let params = null;
  let dbSchema = toDbSchema(schema, {});
  const getDbSchema = () => dbSchema;
  if ($('console-params')) params = new ParamsPanel($('console-params'), () => {
    dbSchema = toDbSchema(schema, params.values());
  });

  let running = null; // {runId}

  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: '',
      extensions: [
        EditorView.cspNonce.of(cspNonce()),
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        lintGutter(),
        placeholder('MATCH (p:Platform) RETURN p.name LIMIT 10   —   Ctrl+Enter 运行'),
        keymap.of([
          { key: 'Mod-Enter', run: () => (run(), true), preventDefault: true },
          ...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab,
        ]),
        cypher(getDbSchema),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Cypher 语句' }),
      ],
    }),
  });

  function setRunning(r) {
    running = r;
    runButton.disabled = Boolean(r);
    if (cancelButton) cancelButton.disabled = !r;
    resultBox.setAttribute('aria-busy', String(Boolean(r)));
  }
  setRunning(null);

  async function run() {
    const statement = view.state.doc.toString();
    if (!statement.trim() || running) return;
    const runId = newRunId();
    setRunning({ runId });
    view.dispatch({ effects: setServerError.of(null) });
    showMessage(resultBox, '正在运行……', 'console-running');
    const started = performance.now();
    try {
      const result = await api('POST', '/api/cypher', {
        statement, params: params ? params.values() : {}, run_id: runId,
      });
      if (result.elapsed_ms === undefined) result.elapsed_ms = Math.round(performance.now() - started);
      showResult(resultBox, result);
      window.jjjkgConsoleResult = result;
    } catch (err) {
      const body = err instanceof ApiError ? err.body : {};
      const where = body.line ? `第 ${body.line} 行${body.column ? `第 ${body.column} 列` : ''}：` : '';
      showMessage(resultBox, '运行失败：' + where + err.message);
      if (body.line) view.dispatch({ effects: setServerError.of({ line: body.line, column: body.column }) });
      window.jjjkgConsoleResult = { error: err.message, line: body.line, column: body.column };
    } finally {
      setRunning(null);
      loadHistory();
    }
  }

  async function cancel() {
    if (!running) return;
    try {
      await api('POST', '/api/cypher/cancel', { run_id: running.runId });
    } catch (err) {
      showMessage(resultBox, '取消失败：' + err.message);
    }
  }

  runButton.addEventListener('click', run);
  cancelButton?.addEventListener('click', cancel);

  // --- 保存为查询 ---
  const saveButton = button('保存为查询', 'console-save');
  (cancelButton ?? runButton).after(saveButton);
  const saveForm = document.createElement('form');
  saveForm.className = 'console-save-form';
  saveForm.hidden = true;
  const field = (label, name, placeholderText) => {
    const l = saveForm.appendChild(document.createElement('label'));
    l.append(label);
    const i = l.appendChild(document.createElement('input'));
    i.name = name;
    i.required = true;
    i.placeholder = placeholderText;
    return i;
  };
  const nameField = field('名称', 'name', '例如 platforms-by-sector');
  nameField.pattern = '[a-z0-9][\\-a-z0-9]*';
  nameField.title = '小写字母、数字和连字符';
  const titleField = field('标题', 'title', '例如 各产业链的中试平台');
  const roleBoxes = Object.entries(ROLES).map(([role, label]) => {
    const l = saveForm.appendChild(document.createElement('label'));
    const c = l.appendChild(document.createElement('input'));
    c.type = 'checkbox';
    c.value = role;
    c.checked = role !== 'viewer';
    l.append(label);
    return c;
  });
  const saveOk = saveForm.appendChild(button('保存'));
  saveOk.type = 'submit';
  const saveStatus = saveForm.appendChild(document.createElement('span'));
  saveStatus.className = 'console-save-status';
  saveButton.after(saveForm);
  saveButton.addEventListener('click', () => {
    saveForm.hidden = !saveForm.hidden;
    if (!saveForm.hidden) nameField.focus();
  });
  saveForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    saveStatus.textContent = '';
    try {
      await api('POST', '/api/queries', {
        name: nameField.value.trim(),
        title: titleField.value.trim(),
        statement: view.state.doc.toString(),
        params: params ? params.declared() : [],
        roles: roleBoxes.filter((c) => c.checked).map((c) => c.value),
      });
      saveStatus.textContent = '已保存。';
    } catch (err) {
      saveStatus.textContent = '保存失败：' + err.message;
    }
  });

  // --- history ---
  const historyBox = $('console-history');
  let historyList = null;
  let historyQuery = null;
  if (historyBox) {
    historyBox.replaceChildren();
    historyBox.appendChild(document.createElement('h3')).textContent = '历史';
    historyQuery = historyBox.appendChild(document.createElement('input'));
    historyQuery.type = 'search';
    historyQuery.placeholder = '搜索历史语句';
    historyQuery.setAttribute('aria-label', '搜索历史语句');
    let timer = null;
    historyQuery.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(loadHistory, 250);
    });
    historyList = historyBox.appendChild(document.createElement('ol'));
    historyList.className = 'console-history-list';
  }

  async function loadHistory() {
    if (!historyList) return;
    let data;
    try {
      data = await api('GET', '/api/console/history?q=' + encodeURIComponent(historyQuery.value));
    } catch {
      return;
    }
    historyList.replaceChildren(...(data?.items ?? []).map((item) => {
      const li = document.createElement('li');
      const b = li.appendChild(button(item.statement, 'console-history-item'));
      b.title = '点击重新运行';
      if (item.error) li.classList.add('console-history-failed');
      const meta = li.appendChild(document.createElement('small'));
      meta.textContent = [item.time, item.error ? '失败' : item.rows !== undefined ? `${item.rows} 行` : '']
        .filter(Boolean).join(' · ');
      b.addEventListener('click', () => {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: item.statement } });
        if (params && item.params && Object.keys(item.params).length) params.setValues(item.params);
        run();
      });
      return li;
    }));
  }

  params?.load();
  loadHistory();
  // Neo4j's semantic analyser starts in its worker at the first lint (600 ms after an edit), never before
  view.focus();
  const api_ = { view, run, cancel, loadHistory };
  window.jjjkgConsole = api_;
  return api_;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountConsole);
else mountConsole();
