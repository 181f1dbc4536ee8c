// mutt web UI: the login page. The form posts straight to /login; the server answers with a
// redirect (to / with a session cookie, or back here with ?error=1).
'use strict';

(() => {
  const params = new URLSearchParams(window.location.search);
  const box = document.getElementById('login-error');
  if (params.get('error') === '1') {
    box.className = 'message error';
    box.textContent = 'Invalid API key';
  }
})();
