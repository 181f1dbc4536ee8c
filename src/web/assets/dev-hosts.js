// mutt web UI: development hosts. Lists, adds and removes the hosts whose events get a rule's
// dev handling.
'use strict';

(() => {
  const { api, el, clear, showMessage, markInvalid, askReason } = Mutt;
  const $ = (id) => document.getElementById(id);
  const form = $('host-form');
  const message = $('host-message');
  const tbody = $('hosts-table').tBodies[0];

  async function remove(hostname) {
    const reason = askReason('Remove development host ' + hostname + '?');
    if (reason === null) return;
    try {
      await api('DELETE', '/api/v2/dev-hosts/' + encodeURIComponent(hostname), reason ? { reason } : {});
      showMessage(message, 'Removed ' + hostname, 'ok');
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
    }
  }

  async function load() {
    try {
      const data = await api('GET', '/api/v2/dev-hosts');
      const hosts = data.hosts || [];
      clear(tbody).append(...(hosts.length
        ? hosts.map((h) => el('tr', { dataset: { hostname: h.hostname, filterable: '' } },
          el('td', { class: 'mono', text: h.hostname }),
          el('td', { class: 'actions admin-only' },
            el('button', { type: 'button', class: 'small danger', text: 'Remove', onclick: () => remove(h.hostname) }))))
        : [el('tr', {}, el('td', { colspan: 2, class: 'empty', text: 'No development hosts.' }))]));
      $('hosts-count').textContent = hosts.length + (hosts.length === 1 ? ' host' : ' hosts');
      $('hosts-filter').dispatchEvent(new Event('input'));
      showMessage($('hosts-error'), '');
    } catch (e) {
      clear(tbody);
      showMessage($('hosts-error'), e.message, 'error', e);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const hostname = $('host-hostname').value.trim();
    const reason = $('host-reason').value.trim();
    const button = $('host-submit');
    button.disabled = true;
    try {
      await api('POST', '/api/v2/dev-hosts', reason ? { hostname, reason } : { hostname });
      showMessage(message, 'Added ' + hostname, 'ok');
      form.reset();
      markInvalid(form, () => '', null);
      await load();
    } catch (e) {
      showMessage(message, e.message, 'error', e);
      markInvalid(form, (f) => 'host-' + f, e);
    } finally {
      button.disabled = false;
    }
  });
  Mutt.bindFilter($('hosts-filter'), tbody);
  load();
})();
