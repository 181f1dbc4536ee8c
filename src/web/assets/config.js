// mutt web UI: the dynamic configuration editor. Lists every key with its value, default and
// source; saves, resets to the default, and shows a key's change history.
'use strict';

(() => {
  const { api, el, clear, showMessage, fmtTime, badge } = Mutt;
  const $ = (id) => document.getElementById(id);
  const tbody = $('config-table').tBodies[0];
  const message = $('config-message');

  function reasonBody(extra) {
    const reason = $('config-reason').value.trim();
    return reason ? Object.assign({ reason }, extra) : extra;
  }

  async function save(key, input) {
    try {
      // Values are sent as typed (text); the server checks them against the key's type.
      await api('PUT', '/api/v2/config/' + encodeURIComponent(key), reasonBody({ value: input.value }));
      showMessage(message, key + ' set to ' + input.value, 'ok');
      input.classList.remove('invalid');
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
      input.classList.add('invalid');
      input.focus();
    }
  }

  async function reset(key) {
    if (!window.confirm('Reset ' + key + ' to its default?')) return;
    try {
      await api('DELETE', '/api/v2/config/' + encodeURIComponent(key), reasonBody({}));
      showMessage(message, key + ' reset to its default', 'ok');
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
    }
  }

  async function history(key) {
    const panel = $('history-panel');
    const body = clear($('history-table').tBodies[0]);
    $('history-key').textContent = key;
    panel.classList.remove('hidden');
    showMessage($('history-message'), 'Loading…', 'info');
    const value = (o) => (o && typeof o === 'object' && 'value' in o ? Mutt.fmtValue(o.value) : '-');
    try {
      const data = await api('GET', '/api/v2/config/history?key=' + encodeURIComponent(key) + '&limit=20');
      const items = data.history || [];
      body.append(...(items.length ? items.map((h) => el('tr', {},
        el('td', { text: fmtTime(h.changed_at) }),
        el('td', { text: h.changed_by }),
        el('td', {}, badge(h.operation, h.operation)),
        el('td', { class: 'mono', text: value(h.old_values) }),
        el('td', { class: 'mono', text: value(h.new_values) }),
        el('td', { text: h.reason || '-' })))
        : [el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No recorded changes.' }))]));
      showMessage($('history-message'), '');
    } catch (e) {
      showMessage($('history-message'), e.message, 'error', e);
    }
    panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  function row(k) {
    const input = el('input', { type: 'text', value: k.value, 'aria-label': 'Value of ' + k.key, class: 'admin-only' });
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') save(k.key, input);
    });
    return el('tr', { dataset: { key: k.key, filterable: '' } },
      el('td', { class: 'mono key', text: k.key }),
      el('td', {}, input, el('span', { class: 'read-value mono', text: k.value })),
      el('td', { class: 'mono', text: k.default === null || k.default === undefined ? '-' : k.default }),
      el('td', {}, badge(k.source || 'default', k.source || 'default')),
      el('td', { text: k.type || '' }),
      el('td', { text: k.owner || '' }),
      el('td', { text: k.description || '' }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'small admin-only', text: 'Save', onclick: () => save(k.key, input) }),
        el('button', {
          type: 'button', class: 'small secondary admin-only', text: 'Reset',
          disabled: k.source !== 'redis', title: 'Remove the Redis value so the default applies',
          onclick: () => reset(k.key),
        }),
        el('button', { type: 'button', class: 'small secondary', text: 'History', onclick: () => history(k.key) })));
  }

  async function load() {
    try {
      const data = await api('GET', '/api/v2/config');
      // `keys` has the detail; fall back to the bare map for keys it lacks.
      const keys = data.keys || Object.entries(data.config || {}).map(([key, value]) => ({ key, value, source: 'redis' }));
      clear(tbody).append(...(keys.length ? keys.map(row)
        : [el('tr', {}, el('td', { colspan: 8, class: 'empty', text: 'No configuration keys.' }))]));
      $('config-filter').dispatchEvent(new Event('input'));
    } catch (e) {
      clear(tbody);
      showMessage(message, e.message, 'error', e);
    }
  }

  $('history-close').addEventListener('click', () => $('history-panel').classList.add('hidden'));
  Mutt.bindFilter($('config-filter'), tbody);
  load();
})();
