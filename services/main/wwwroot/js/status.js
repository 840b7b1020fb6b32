// The service status page: each app's /healthz through main's sidecar.
async function refresh() {
  const rows = document.getElementById('apps');
  const summary = document.getElementById('status-summary');
  try {
    const response = await fetch('/api/status', { cache: 'no-store' });
    const status = await response.json();
    rows.replaceChildren(...status.apps.map(app => {
      const tr = document.createElement('tr');
      const cells = [app.appId, app.healthy ? 'healthy' : 'unreachable', app.elapsedMs === undefined ? '—' : `${Math.round(app.elapsedMs)} ms`];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 1) td.className = app.healthy ? 'ok' : 'down';
        tr.append(td);
      });
      return tr;
    }));
    summary.textContent = status.healthy ? 'All services are healthy.' : 'Some services are not reachable yet.';
  } catch {
    summary.textContent = 'The status could not be loaded.';
  }
}
refresh();
setInterval(refresh, 5000);
