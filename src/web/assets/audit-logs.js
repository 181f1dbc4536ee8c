// mutt web UI: the event audit log. Searches the alerter's decisions, newest first, paging with
// the server's keyset cursor ("Older"); the cursors already seen let "Newer" step back.
'use strict';

(() => {
  const { api, el, clear, showMessage, fmtTime, isoFromLocal, query, badge } = Mutt;
  const $ = (id) => document.getElementById(id);
  const tbody = $('audit-logs-table').tBodies[0];
  let cursors = [null]; // cursors[i] fetches page i + 1; null is the newest page
  let nextCursor = null;

  function filters() {
    return {
      hostname: $('ev-hostname').value,
      rule_id: $('ev-rule-id').value,
      start_date: isoFromLocal($('ev-start').value),
      end_date: isoFromLocal($('ev-end').value),
      limit: $('ev-limit').value,
    };
  }

  function row(l) {
    return el('tr', {},
      el('td', { text: fmtTime(l.event_timestamp) }),
      el('td', { class: 'mono', text: l.hostname }),
      el('td', { class: 'num', text: l.matched_rule_id === null || l.matched_rule_id === undefined ? '-' : l.matched_rule_id }),
      el('td', { text: l.handling_decision || '-' }),
      el('td', {}, l.silenced_by ? badge('silenced by ' + l.silenced_by, 'waiting')
        : badge(l.forwarded_to_moog ? 'yes' : 'no')),
      el('td', { class: 'mono', text: l.raw_message || '' }),
      el('td', { class: 'mono', text: l.event_id || '' }),
      el('td', { class: 'actions admin-only' },
        el('a', { class: 'silence-like', href: '/silences' + query({ hostname: l.hostname, rule_id: l.matched_rule_id }),
          text: 'Silence events like this' })));
  }

  async function load() {
    const page = cursors.length;
    const params = filters();
    params.cursor = cursors[page - 1];
    showMessage($('ev-message'), 'Loading…', 'info');
    for (const b of ['ev-older', 'ev-newer', 'ev-newest']) $(b).disabled = true;
    try {
      const data = await api('GET', '/api/v2/audit-logs' + query(params));
      const logs = data.logs || [];
      clear(tbody).append(...(logs.length ? logs.map(row)
        : [el('tr', {}, el('td', { colspan: 8, class: 'empty', text: 'No events found matching your filters.' }))]));
      nextCursor = (data.pagination && data.pagination.next_cursor) || null;
      showMessage($('ev-message'), '');
    } catch (e) {
      clear(tbody);
      nextCursor = null;
      showMessage($('ev-message'), e.message, 'error', e);
    }
    $('ev-page').textContent = 'Page ' + page;
    $('ev-older').disabled = !nextCursor;
    $('ev-newer').disabled = page <= 1;
    $('ev-newest').disabled = page <= 1;
  }

  $('events-filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    cursors = [null];
    load();
  });
  $('ev-clear').addEventListener('click', () => {
    $('events-filters').reset();
    cursors = [null];
    load();
  });
  $('ev-older').addEventListener('click', () => {
    if (!nextCursor) return;
    cursors.push(nextCursor);
    load();
  });
  $('ev-newer').addEventListener('click', () => {
    if (cursors.length > 1) cursors.pop();
    load();
  });
  $('ev-newest').addEventListener('click', () => {
    cursors = [null];
    load();
  });

  // Filters may come in the URL (e.g. from a link elsewhere): ?hostname=…&rule_id=…
  const url = new URLSearchParams(window.location.search);
  if (url.get('hostname')) $('ev-hostname').value = url.get('hostname');
  if (url.get('rule_id')) $('ev-rule-id').value = url.get('rule_id');
  load();
})();
