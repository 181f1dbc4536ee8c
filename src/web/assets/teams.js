// mutt web UI: device teams. Lists host → team assignments; adds, changes and removes them.
'use strict';

(() => {
  const { api, el, clear, showMessage, markInvalid, askReason } = Mutt;
  const $ = (id) => document.getElementById(id);
  const form = $('team-form');
  const message = $('team-message');
  const tbody = $('teams-table').tBodies[0];
  let editing = null; // the host name whose team the form changes, or null when it adds

  function resetForm() {
    editing = null;
    form.reset();
    $('team-hostname').readOnly = false;
    $('team-form-title').textContent = 'Assign a team';
    $('team-submit').textContent = 'Assign';
    $('team-cancel').classList.add('hidden');
    markInvalid(form, () => '', null);
  }

  function startEdit(t) {
    editing = t.hostname;
    $('team-hostname').value = t.hostname;
    $('team-hostname').readOnly = true;
    $('team-team-assignment').value = t.team_assignment;
    $('team-reason').value = '';
    $('team-form-title').textContent = 'Change the team of ' + t.hostname;
    $('team-submit').textContent = 'Save';
    $('team-cancel').classList.remove('hidden');
    showMessage(message, '');
    $('team-team-assignment').focus();
  }

  async function remove(hostname) {
    const reason = askReason('Remove the team assignment of ' + hostname + '?');
    if (reason === null) return;
    try {
      await api('DELETE', '/api/v2/teams/' + encodeURIComponent(hostname), reason ? { reason } : {});
      showMessage(message, 'Removed the assignment of ' + hostname, 'ok');
      if (editing === hostname) resetForm();
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
    }
  }

  async function load() {
    try {
      const data = await api('GET', '/api/v2/teams');
      const teams = data.teams || [];
      clear(tbody).append(...(teams.length
        ? teams.map((t) => el('tr', { dataset: { hostname: t.hostname, filterable: '' } },
          el('td', { class: 'mono', text: t.hostname }),
          el('td', { text: t.team_assignment }),
          el('td', { class: 'actions admin-only' },
            el('button', { type: 'button', class: 'small secondary', text: 'Edit', onclick: () => startEdit(t) }),
            el('button', { type: 'button', class: 'small danger', text: 'Remove', onclick: () => remove(t.hostname) }))))
        : [el('tr', {}, el('td', { colspan: 3, class: 'empty', text: 'No team assignments.' }))]));
      $('teams-count').textContent = teams.length + (teams.length === 1 ? ' assignment' : ' assignments');
      $('teams-filter').dispatchEvent(new Event('input'));
      showMessage($('teams-error'), '');
    } catch (e) {
      clear(tbody);
      showMessage($('teams-error'), e.message, 'error', e);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const hostname = $('team-hostname').value.trim();
    const body = { team_assignment: $('team-team-assignment').value.trim() };
    const reason = $('team-reason').value.trim();
    if (reason) body.reason = reason;
    const button = $('team-submit');
    button.disabled = true;
    try {
      if (editing === null) {
        await api('POST', '/api/v2/teams', Object.assign({ hostname }, body));
        showMessage(message, 'Assigned ' + hostname + ' to ' + body.team_assignment, 'ok');
      } else {
        await api('PUT', '/api/v2/teams/' + encodeURIComponent(editing), body);
        showMessage(message, 'Moved ' + editing + ' to ' + body.team_assignment, 'ok');
      }
      resetForm();
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
      markInvalid(form, (f) => 'team-' + f.replace(/_/g, '-'), e);
    } finally {
      button.disabled = false;
    }
  });
  $('team-cancel').addEventListener('click', () => { resetForm(); showMessage(message, ''); });
  Mutt.bindFilter($('teams-filter'), tbody);
  load();
})();
