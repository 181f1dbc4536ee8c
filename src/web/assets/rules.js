// mutt web UI: alert rules. Lists rules, creates and edits them through one form, activates,
// deactivates and deletes them, and explains how the current rules decide a test event.
'use strict';

(() => {
  const { api, el, clear, showMessage, badge, markInvalid, askReason } = Mutt;
  const $ = (id) => document.getElementById(id);
  const form = $('rule-form');
  const message = $('rule-message');
  const tbody = $('rules-table').tBodies[0];
  const SEVERITY = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'];
  // API field name → form input id (the ids the browser test relies on).
  const INPUT = {
    match_string: 'rule-match-string',
    match_type: 'rule-match-type',
    priority: 'rule-priority',
    syslog_severity: 'rule-severity',
    trap_oid: 'rule-trap-oid',
    prod_handling: 'rule-prod-handling',
    dev_handling: 'rule-dev-handling',
    team_assignment: 'rule-team',
    is_active: 'rule-is-active',
    reason: 'rule-reason',
  };
  let editing = null; // the id of the rule the form edits, or null when it creates
  let rules = [];

  function severityText(s) {
    return s === null || s === undefined ? 'any' : s + ' ' + (SEVERITY[s] || '');
  }

  /** The form's fields as an API body. Empty optional fields are null; priority is left out
   *  when empty (the server's default applies) and sent as typed when it is not a number, so
   *  the server's validation message names it. */
  function body() {
    const v = (f) => $(INPUT[f]).value.trim();
    const b = {
      match_string: v('match_string') || null,
      match_type: v('match_type'),
      trap_oid: v('trap_oid') || null,
      syslog_severity: v('syslog_severity') === '' ? null : Number(v('syslog_severity')),
      prod_handling: v('prod_handling'),
      dev_handling: v('dev_handling'),
      team_assignment: v('team_assignment'),
      is_active: $(INPUT.is_active).checked,
    };
    const p = v('priority');
    if (p !== '') b.priority = /^\d+$/.test(p) ? Number(p) : p;
    const reason = v('reason');
    if (reason) b.reason = reason;
    return b;
  }

  function resetForm() {
    editing = null;
    form.reset();
    $('rule-form-title').textContent = 'New rule';
    $('rule-submit').textContent = 'Create rule';
    $('rule-cancel').classList.add('hidden');
    markInvalid(form, () => '', null);
  }

  function startEdit(rule) {
    editing = rule.id;
    for (const [field, id] of Object.entries(INPUT)) {
      if (field === 'reason') continue;
      const input = $(id);
      const value = rule[field];
      if (input.type === 'checkbox') input.checked = !!value;
      else input.value = value === null || value === undefined ? '' : String(value);
    }
    $('rule-reason').value = '';
    $('rule-form-title').textContent = 'Edit rule #' + rule.id;
    $('rule-submit').textContent = 'Save changes';
    $('rule-cancel').classList.remove('hidden');
    showMessage(message, '');
    form.scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('rule-match-string').focus();
  }

  async function submit(ev) {
    ev.preventDefault();
    const button = $('rule-submit');
    button.disabled = true;
    try {
      if (editing === null) {
        const r = await api('POST', '/api/v2/rules', body());
        showMessage(message, (r.message || 'Rule created') + ' (id ' + r.id + ')', 'ok');
      } else {
        const id = editing;
        const r = await api('PUT', '/api/v2/rules/' + encodeURIComponent(id), body());
        showMessage(message, r.message || 'Rule ' + id + ' updated', 'ok');
      }
      resetForm();
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
      markInvalid(form, (f) => INPUT[f] || '', e);
    } finally {
      button.disabled = false;
    }
  }

  async function setActive(rule, active) {
    const reason = askReason((active ? 'Activate' : 'Deactivate') + ' rule #' + rule.id + '?');
    if (reason === null) return;
    const b = { is_active: active };
    if (reason) b.reason = reason;
    try {
      await api('PUT', '/api/v2/rules/' + encodeURIComponent(rule.id), b);
      showMessage(message, 'Rule ' + rule.id + (active ? ' activated' : ' deactivated'), 'ok');
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
    }
  }

  async function remove(rule) {
    const reason = askReason('Delete rule #' + rule.id + '? This cannot be undone.');
    if (reason === null) return;
    try {
      await api('DELETE', '/api/v2/rules/' + encodeURIComponent(rule.id), reason ? { reason } : {});
      showMessage(message, 'Rule ' + rule.id + ' deleted', 'ok');
      if (editing === rule.id) resetForm();
      await load();
    } catch (e) {
      // 409: events reference the rule; the server's text says to deactivate it instead.
      showMessage(message, e.message, 'error', e);
    }
  }

  function row(r) {
    const match = el('td', {},
      badge(r.match_type, 'default'), ' ',
      el('span', { class: 'mono', text: r.match_string === null || r.match_string === undefined ? '' : r.match_string }));
    return el('tr', { class: r.is_active ? '' : 'inactive', dataset: { ruleId: String(r.id), filterable: '' } },
      el('td', { class: 'num', text: r.id }),
      el('td', { class: 'num', text: r.priority }),
      match,
      el('td', { class: 'mono', text: r.trap_oid || '' }),
      el('td', { text: severityText(r.syslog_severity) }),
      el('td', { text: r.prod_handling }),
      el('td', { text: r.dev_handling }),
      el('td', { text: r.team_assignment }),
      el('td', {}, badge(r.is_active ? 'yes' : 'no')),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'small secondary admin-only', text: 'Edit', onclick: () => startEdit(r) }),
        el('button', {
          type: 'button', class: 'small secondary admin-only', text: r.is_active ? 'Deactivate' : 'Activate',
          onclick: () => setActive(r, !r.is_active),
        }),
        el('button', { type: 'button', class: 'small danger admin-only', text: 'Delete', onclick: () => remove(r) }),
        el('a', { href: '/audit?table_name=alert_rules&record_id=' + encodeURIComponent(r.id), text: 'History' })));
  }

  async function load() {
    try {
      const data = await api('GET', '/api/v2/rules');
      rules = data.rules || [];
      clear(tbody).append(...(rules.length ? rules.map(row)
        : [el('tr', {}, el('td', { colspan: 10, class: 'empty', text: 'No rules yet.' }))]));
      const active = rules.filter((r) => r.is_active).length;
      $('rules-count').textContent = rules.length + ' rules, ' + active + ' active';
      $('rules-filter').dispatchEvent(new Event('input'));
      showMessage($('rules-error'), '');
    } catch (e) {
      clear(tbody);
      showMessage($('rules-error'), e.message, 'error', e);
    }
  }

  /** Render the engine's explanation: the decision line, then the rules tried and skipped. */
  function renderExplanation(x) {
    const out = clear($('test-result'));
    const d = x.decision || {};
    const line = d.outcome === 'matched'
      ? `Matched rule #${d.rule_id}: handling ${d.handling}, team ${d.team}, environment ${d.environment}, ` +
        (d.forward ? 'forwarded to Moogsoft' : 'not forwarded (audit only)')
      : `Unhandled: team ${d.team}, environment ${d.environment}`;
    out.append(el('p', { class: 'message ' + (d.outcome === 'matched' ? 'ok' : 'info'), id: 'test-decision', text: line }));
    const tried = (x.tried || []).map((t) => el('tr', {},
      el('td', { class: 'num', text: t.rule_id }),
      el('td', { class: 'num', text: t.priority }),
      el('td', {}, badge(t.matched ? 'yes' : 'no')),
      el('td', { text: t.reason })));
    const skipped = (x.skipped || []).map((s) => el('tr', {},
      el('td', { class: 'num', text: s.rule_id }),
      el('td', { text: '-' }),
      el('td', {}, badge('skipped', 'warn')),
      el('td', { text: s.reason })));
    if (tried.length + skipped.length === 0) {
      out.append(el('p', { class: 'muted', text: 'No active rules were tried.' }));
      return;
    }
    out.append(el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'test-table' },
      el('thead', {}, el('tr', {},
        el('th', { text: 'Rule' }), el('th', { text: 'Priority' }), el('th', { text: 'Matched' }), el('th', { text: 'Why' }))),
      el('tbody', {}, tried, skipped))));
  }

  async function test(ev) {
    ev.preventDefault();
    const v = (id) => $(id).value.trim();
    const event = { hostname: v('test-hostname'), message: v('test-message') };
    if (v('test-trap-oid')) event.trap_oid = v('test-trap-oid');
    if (v('test-severity') !== '') event.syslog_severity = Number(v('test-severity'));
    try {
      const r = await api('POST', '/api/v2/rules/test', { event });
      showMessage($('test-message-area'), '');
      renderExplanation(r.explanation || {});
    } catch (e) {
      clear($('test-result'));
      showMessage($('test-message-area'), e.message, 'error', e);
    }
  }

  form.addEventListener('submit', submit);
  $('rule-cancel').addEventListener('click', () => { resetForm(); showMessage(message, ''); });
  $('test-form').addEventListener('submit', test);
  Mutt.bindFilter($('rules-filter'), tbody);
  load();
})();
