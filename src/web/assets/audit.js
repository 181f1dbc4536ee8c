// mutt web UI: the configuration audit viewer (v2.5's /audit) with a field-by-field diff of
// each change.
'use strict';

(() => {
  const { api, el, clear, showMessage, fmtTime, isoFromLocal, query, badge, diffTable } = Mutt;
  const $ = (id) => document.getElementById(id);
  const tbody = $('config-audit-table').tBodies[0];
  const LIMIT = 20;
  let page = 1;
  let pages = 1;

  // Filter input id → query parameter.
  const FILTERS = {
    'f-changed-by': 'changed_by',
    'f-operation': 'operation',
    'f-table-name': 'table_name',
    'f-record-id': 'record_id',
  };

  function filters() {
    const p = {};
    for (const [id, name] of Object.entries(FILTERS)) p[name] = $(id).value;
    p.start_date = isoFromLocal($('f-start').value);
    p.end_date = isoFromLocal($('f-end').value);
    return p;
  }

  /** v2.5's preview text of a change. */
  function preview(c) {
    const count = (o) => (o && typeof o === 'object' ? Object.keys(o).length : 0);
    if (c.operation === 'CREATE') return 'Created with ' + count(c.new_values) + ' fields';
    if (c.operation === 'DELETE') return 'Record deleted';
    const before = c.old_values || {};
    const after = c.new_values || {};
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    const changed = [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).length;
    return 'Updated ' + changed + ' field(s)';
  }

  function record(c) {
    const parts = [];
    if (c.record_id !== null && c.record_id !== undefined) parts.push(String(c.record_id));
    if (c.record_key) parts.push(c.record_key);
    return parts.join(' · ') || '-';
  }

  function rows(c) {
    const detail = el('tr', { class: 'detail hidden' },
      el('td', { colspan: 7 },
        diffTable(c.old_values, c.new_values),
        el('p', { class: 'muted', text: 'Audit id ' + c.id + (c.correlation_id ? ' · correlation id ' + c.correlation_id : '') })));
    const toggle = el('button', {
      type: 'button', class: 'link', text: preview(c), 'aria-expanded': 'false',
      onclick: () => {
        const open = detail.classList.toggle('hidden') === false;
        toggle.setAttribute('aria-expanded', String(open));
      },
    });
    const main = el('tr', { dataset: { auditId: String(c.id) } },
      el('td', { text: fmtTime(c.changed_at) }),
      el('td', { text: c.changed_by }),
      el('td', {}, badge(c.operation, c.operation)),
      el('td', { text: c.table_name }),
      el('td', { class: 'mono', text: record(c) }),
      el('td', {}, toggle),
      el('td', { text: c.reason || '-' }));
    return [main, detail];
  }

  async function load() {
    const params = filters();
    params.page = page;
    params.limit = LIMIT;
    showMessage($('audit-message'), 'Loading…', 'info');
    try {
      const data = await api('GET', '/api/v2/config-audit' + query(params));
      const changes = data.changes || [];
      clear(tbody).append(...(changes.length ? changes.flatMap(rows)
        : [el('tr', {}, el('td', { colspan: 7, class: 'empty', text: 'No audit logs found matching your filters.' }))]));
      const p = data.pagination || {};
      page = p.page || page;
      pages = Math.max(1, p.pages || 1);
      showMessage($('audit-message'), '');
    } catch (e) {
      clear(tbody);
      showMessage($('audit-message'), e.message, 'error', e);
    }
    $('audit-page').textContent = 'Page ' + page + ' of ' + pages;
    $('audit-prev').disabled = page <= 1;
    $('audit-next').disabled = page >= pages;
  }

  $('audit-filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    page = 1;
    load();
  });
  $('f-clear').addEventListener('click', () => {
    $('audit-filters').reset();
    page = 1;
    load();
  });
  $('audit-prev').addEventListener('click', () => {
    if (page > 1) { page -= 1; load(); }
  });
  $('audit-next').addEventListener('click', () => {
    if (page < pages) { page += 1; load(); }
  });

  // Filters may come in the URL, e.g. the rules page's History links (?table_name=…&record_id=…).
  const url = new URLSearchParams(window.location.search);
  for (const [id, name] of Object.entries(FILTERS)) {
    if (url.get(name)) $(id).value = url.get(name);
  }
  load();
})();
