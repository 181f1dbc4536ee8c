// mutt web UI: silences. Lists them, adds one from the form (prefilled from the event audit's
// "Silence events like this" link) and expires them.
'use strict';

(() => {
  const { api, el, clear, showMessage, markInvalid, askReason, badge } = Mutt;
  const $ = (id) => document.getElementById(id);
  const form = $('silence-form');
  const message = $('silence-message');
  const tbody = $('silences-table').tBodies[0];

  function matchersText(m) {
    const parts = [];
    if (m.hostname) {
      parts.push(m.hostname_match === 'glob' ? 'host~glob:' + m.hostname
        : m.hostname_match === 'regex' ? 'host~/' + m.hostname + '/' : 'host=' + m.hostname);
    }
    if (m.rule_id) parts.push('rule=' + m.rule_id);
    if (m.team) parts.push('team=' + m.team);
    if (m.contains) parts.push('contains="' + m.contains + '"');
    return parts.join(' ');
  }

  function scheduleText(s) {
    if (!s) return '-';
    return s.windows.map((w) => w.days + ' ' + w.start + '-' + w.end).join(', ') + ' ' + s.time_zone;
  }

  async function expire(s) {
    const reason = askReason('Expire silence ' + s.id + ' (' + matchersText(s.matchers) + ') now?');
    if (reason === null) return;
    try {
      await api('DELETE', '/api/v2/silences/' + s.id, reason ? { reason } : {});
      showMessage(message, 'Expired silence ' + s.id, 'ok');
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
    }
  }

  async function load() {
    try {
      const expired = $('silences-expired').checked;
      const data = await api('GET', '/api/v2/silences' + (expired ? '?expired=true' : ''));
      const list = data.silences || [];
      clear(tbody).append(...(list.length
        ? list.map((s) => el('tr', { dataset: { silenceId: String(s.id) } },
          el('td', { class: 'num', text: String(s.id) }),
          el('td', {}, badge(s.state, s.state)),
          el('td', { class: 'mono', text: matchersText(s.matchers) }),
          el('td', { class: 'mono', text: s.starts_at }),
          el('td', { class: 'mono', text: s.ends_at }),
          el('td', { class: 'mono', text: scheduleText(s.schedule) }),
          el('td', { text: s.created_by }),
          el('td', { text: s.comment }),
          el('td', { class: 'actions admin-only' }, s.state === 'expired' ? ''
            : el('button', { type: 'button', class: 'small danger', text: 'Expire', onclick: () => expire(s) }))))
        : [el('tr', {}, el('td', { colspan: 9, class: 'empty', text: 'No silences.' }))]));
      $('silences-count').textContent = list.length + (list.length === 1 ? ' silence' : ' silences');
      showMessage($('silences-error'), '');
    } catch (e) {
      clear(tbody);
      showMessage($('silences-error'), e.message, 'error', e);
    }
  }

  // "Silence events like this" from the event audit arrives with the event's fields.
  const params = new URLSearchParams(window.location.search);
  for (const [param, id] of [['hostname', 'silence-hostname'], ['rule_id', 'silence-rule-id'],
    ['team', 'silence-team'], ['contains', 'silence-contains']]) {
    if (params.get(param)) $(id).value = params.get(param);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = (id) => $(id).value.trim();
    const matchers = {};
    if (value('silence-hostname')) {
      matchers.hostname = value('silence-hostname');
      matchers.hostname_match = $('silence-hostname-match').value;
    }
    if (value('silence-rule-id')) matchers.rule_id = Number(value('silence-rule-id'));
    if (value('silence-team')) matchers.team = value('silence-team');
    if (value('silence-contains')) matchers.contains = value('silence-contains');
    const body = { matchers, comment: value('silence-comment') };
    if (value('silence-ends-at')) body.ends_at = value('silence-ends-at');
    else if (value('silence-duration')) body.duration = value('silence-duration');
    if (value('silence-every')) {
      const [days, times] = value('silence-every').split(/\s+/, 2);
      const [start, end] = (times || '').split('-');
      body.schedule = { time_zone: value('silence-time-zone') || 'UTC', windows: [{ days, start: start || '', end: end || '' }] };
    }
    const button = $('silence-submit');
    button.disabled = true;
    try {
      const made = await api('POST', '/api/v2/silences', body);
      showMessage(message, 'Added silence ' + made.silence.id + ' (' + made.silence.state + ')', 'ok');
      form.reset();
      markInvalid(form, () => '', null);
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
      markInvalid(form, (f) => 'silence-' + f.replace(/^matchers\./, '').replace(/_/g, '-'), e);
    } finally {
      button.disabled = false;
    }
  });
  $('silences-expired').addEventListener('change', load);
  load();
})();
