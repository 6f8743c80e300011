// Reads the link's token from the URL fragment (never sent to a server or in a Referer), removes it from the
// address bar and history, and exchanges it once for a page session through the page's own form.
(function () {
  'use strict';
  var form = document.getElementById('open-form');
  if (!form) return;
  var params = new URLSearchParams(window.location.hash.slice(1));
  var authToken = params.get('authToken');
  var urlToken = params.get('urlToken');
  if (window.location.hash && window.history.replaceState) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  if (!authToken && !urlToken) {
    var missing = document.getElementById('open-missing');
    if (missing && form.getAttribute('data-required') === 'true') missing.hidden = false;
    return;
  }
  form.elements.authToken.value = authToken || '';
  form.elements.urlToken.value = urlToken || '';
  form.elements.authCode.value = params.get('authCode') || '';
  var wait = document.getElementById('open-wait');
  if (wait) wait.hidden = false;
  form.submit();
})();
