// Live pages (the dashboard, a running site audit): fetch the regions every 5 s and swap them in, without a reload.
// A region that holds the keyboard focus is left alone until the focus moves on, so a cancel button never vanishes
// under the user. An answer marked `final` (the audit finished) is the last: polling stops.
(function () {
  'use strict';
  var bar = document.querySelector('[data-live]');
  if (!bar) return;
  var url = bar.getAttribute('data-live');
  var status = document.getElementById('live-status');
  var time = document.getElementById('live-time');
  var toggle = document.getElementById('live-toggle');
  var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var paused = false;
  var stopped = false;
  var lastSummary = status ? status.textContent : '';
  var timer = null;
  var INTERVAL = 5000;

  function swap(id, markup) {
    var el = document.querySelector('[data-region="' + id + '"]');
    if (!el) return true;
    if (el.contains(document.activeElement)) return false;
    if (el.innerHTML === markup) return true;
    el.innerHTML = markup;
    if (!reduced) {
      el.classList.remove('region-updated');
      void el.offsetWidth;
      el.classList.add('region-updated');
    }
    return true;
  }

  function refresh() {
    if (paused || document.hidden) return schedule();
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401) { window.location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search)); return null; }
        return res.ok ? res.json() : null;
      })
      .then(function (data) {
        if (!data) return;
        var all = true;
        Object.keys(data.regions).forEach(function (id) { if (!swap(id, data.regions[id])) all = false; });
        if (time) { time.setAttribute('datetime', data.asOf); time.textContent = data.asOf.replace('T', ' ').slice(0, 19) + ' UTC'; }
        // Announced (politely) only when the summary changes, not every 5 s.
        if (status && data.summary !== lastSummary) { status.textContent = data.summary; lastSummary = data.summary; }
        // Stop only once the final markup is in (a focused region is swapped when the focus leaves it).
        if (data.final && all) { stopped = true; if (toggle) toggle.hidden = true; }
      })
      .catch(function () { /* next tick tries again */ })
      .then(schedule);
  }

  function schedule() {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(refresh, INTERVAL);
  }

  if (toggle) {
    toggle.addEventListener('click', function () {
      paused = !paused;
      toggle.setAttribute('aria-pressed', paused ? 'true' : 'false');
      if (!paused) refresh();
    });
  }
  schedule();
})();
