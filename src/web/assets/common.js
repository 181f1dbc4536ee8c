// mutt web UI: helpers shared by every page (session, API calls, safe DOM building, formatting).
// Loaded with `defer` before the page's own script, so the DOM is parsed when this runs.
'use strict';

const Mutt = (() => {
  let sessionPromise = null;

  /** Go to the login page (the session is missing or expired). */
  function toLogin() {
    window.location.assign('/login');
  }

  /** The current session `{name, scope, csrf_token}`, fetched once per page load. */
  function session() {
    if (!sessionPromise) {
      sessionPromise = fetch('/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(async (r) => {
          // Without a session the server redirects (fetch follows it to the HTML login page) or
          // answers 401: either way the page cannot work, so go and log in.
          if (r.status === 401 || r.redirected || !r.ok) {
            toLogin();
            throw new Error('not logged in');
          }
          return r.json();
        });
    }
    return sessionPromise;
  }

  /** An error carrying the server's `error` text, the field it names and the correlation id. */
  class ApiError extends Error {
    constructor(message, status, field, correlationId) {
      super(message);
      this.status = status;
      this.field = field || null;
      this.correlationId = correlationId || null;
    }
  }

  /**
   * Call the REST API. GETs take no body; every other method sends JSON with the session's
   * CSRF token. Resolves with the parsed JSON; rejects with an ApiError holding the server's text.
   */
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    const opts = { method, headers, credentials: 'same-origin' };
    if (method !== 'GET') {
      const s = await session();
      headers['X-CSRF-Token'] = s.csrf_token;
      headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body === undefined ? {} : body);
    }
    let r;
    try {
      r = await fetch(path, opts);
    } catch (e) {
      throw new ApiError('Cannot reach the server: ' + e.message, 0);
    }
    if (r.status === 401) {
      toLogin();
      throw new ApiError('Your session has ended; please log in again.', 401);
    }
    let data = null;
    const type = r.headers.get('Content-Type') || '';
    if (type.includes('json')) {
      try {
        data = await r.json();
      } catch (e) {
        data = null;
      }
    }
    if (!r.ok) {
      const text = data && data.error ? data.error : 'Request failed (HTTP ' + r.status + ')';
      throw new ApiError(text, r.status, data && data.field, data && data.correlation_id);
    }
    if (data === null) {
      throw new ApiError('Unexpected answer from the server (HTTP ' + r.status + ')', r.status);
    }
    return data;
  }

  /**
   * Build an element. `opts`: class, text (set as textContent), dataset, on<event> handlers,
   * anything else as an attribute. Children may be nodes or strings (added as text, never HTML).
   */
  function el(tag, opts, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(opts || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k === 'text') n.textContent = String(v);
      else if (k === 'dataset') Object.assign(n.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      n.append(c instanceof Node ? c : String(c));
    }
    return n;
  }

  /** Remove every child of `node`. */
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /** An RFC 3339 time in the browser's locale (the raw text if it does not parse). */
  function fmtTime(s) {
    if (!s) return '-';
    const d = new Date(s);
    return isNaN(d.getTime()) ? String(s) : d.toLocaleString();
  }

  /** A datetime-local input's value as an ISO string (empty stays empty). */
  function isoFromLocal(v) {
    if (!v) return '';
    const d = new Date(v);
    return isNaN(d.getTime()) ? v : d.toISOString();
  }

  /** A value for display: strings as they are, null as "-", anything else as JSON. */
  function fmtValue(v) {
    if (v === null || v === undefined) return '-';
    if (typeof v === 'string') return v;
    return JSON.stringify(v);
  }

  /** A number with `digits` decimals, or "n/a" for null. */
  function fmtNum(v, digits) {
    return typeof v === 'number' && isFinite(v) ? v.toFixed(digits) : 'n/a';
  }

  /** A ratio (0.995) as a percentage ("99.50%"), or "n/a". */
  function fmtPct(v, digits) {
    return typeof v === 'number' && isFinite(v) ? (v * 100).toFixed(digits) + '%' : 'n/a';
  }

  /** Show `text` in a message area; kind is ok, error or info. An empty text hides it. */
  function showMessage(node, text, kind, err) {
    node.className = 'message' + (text ? ' ' + (kind || 'info') : '');
    node.textContent = text || '';
    node.title = err && err.correlationId ? 'correlation id ' + err.correlationId : '';
  }

  /** `?a=1&b=2` from an object, leaving out empty values. */
  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && String(v).trim() !== '') q.set(k, String(v).trim());
    }
    const s = q.toString();
    return s ? '?' + s : '';
  }

  /** A badge span. */
  function badge(text, kind) {
    return el('span', { class: 'badge ' + String(kind || text).toLowerCase(), text });
  }

  /**
   * A field-by-field old → new table of two JSON objects (either may be null); fields whose
   * values differ get the `changed` class.
   */
  function diffTable(oldValues, newValues) {
    const before = oldValues && typeof oldValues === 'object' ? oldValues : {};
    const after = newValues && typeof newValues === 'object' ? newValues : {};
    const fields = Array.from(new Set([...Object.keys(before), ...Object.keys(after)])).sort();
    const rows = fields.map((f) => {
      const o = Object.prototype.hasOwnProperty.call(before, f) ? fmtValue(before[f]) : '';
      const n = Object.prototype.hasOwnProperty.call(after, f) ? fmtValue(after[f]) : '';
      const changed = JSON.stringify(before[f]) !== JSON.stringify(after[f]);
      return el('tr', { class: changed ? 'changed' : 'same' },
        el('td', { class: 'field', text: f }),
        el('td', { class: 'old', text: oldValues ? o : '' }),
        el('td', { class: 'new', text: newValues ? n : '' }));
    });
    if (rows.length === 0) {
      rows.push(el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'No field values recorded.' })));
    }
    return el('table', { class: 'diff' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Field' }), el('th', { text: 'Old' }), el('th', { text: 'New' }))),
      el('tbody', {}, rows));
  }

  /** Mark the input of the field an API error names; `idFor` maps a field name to an input id. */
  function markInvalid(form, idFor, err) {
    for (const n of form.querySelectorAll('.invalid')) n.classList.remove('invalid');
    if (err && err.field) {
      const input = document.getElementById(idFor(err.field));
      if (input) {
        input.classList.add('invalid');
        input.focus();
      }
    }
  }

  /** Hide table rows whose text does not contain the search box's text. */
  function bindFilter(input, tbody) {
    input.addEventListener('input', () => {
      const needle = input.value.trim().toLowerCase();
      for (const tr of tbody.rows) {
        if (tr.dataset.filterable === undefined) continue;
        tr.classList.toggle('hidden', needle !== '' && !tr.textContent.toLowerCase().includes(needle));
      }
    });
  }

  /** Ask for an optional reason; null means the user cancelled. */
  function askReason(what) {
    const r = window.prompt(what + '\n\nReason (optional, kept in the audit log):', '');
    return r === null ? null : r.trim();
  }

  // Every page but the login page: highlight the nav link, show who is logged in, and reveal
  // write controls only for admin sessions.
  if (document.body.dataset.page !== 'login') {
    const here = window.location.pathname.replace(/\/+$/, '') || '/';
    for (const a of document.querySelectorAll('.nav a.link')) {
      if (a.getAttribute('href') === here) {
        a.classList.add('active');
        a.setAttribute('aria-current', 'page');
      }
    }
    session().then((s) => {
      document.body.classList.add(s.scope === 'admin' ? 'scope-admin' : 'scope-read');
      const who = document.getElementById('who');
      if (who) who.textContent = s.name + ' (' + s.scope + ')';
    }).catch(() => {});
  }

  return {
    api, session, el, clear, fmtTime, isoFromLocal, fmtValue, fmtNum, fmtPct, showMessage, query,
    badge, diffTable, markInvalid, bindFilter, askReason, ApiError,
  };
})();
