// The workspace's JSON API as the console calls it: same origin, the session cookie, and the CSRF token of
// the page's <meta name="csrf-token"> in X-CSRFToken on every write.
const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';

export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body ?? {};
  }
}

const STATUS = {
  401: '登录已失效，请重新登录。',
  403: '没有权限执行此操作。',
  404: '服务器上没有这个地址。',
  413: '请求太大。',
};

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRFToken'] = meta('csrf-token');
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('无法连接服务器，请检查网络后重试。', 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data?.error ?? STATUS[response.status] ?? `服务器出错（HTTP ${response.status}）。`;
    throw new ApiError(message, response.status, data);
  }
  return data;
}

export function cspNonce() {
  return meta('csp-nonce');
}

// A run's id: random, so the server can tell which statement 取消 means.
export function newRunId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
