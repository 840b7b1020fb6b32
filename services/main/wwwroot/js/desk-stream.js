// The desk's live notifications from notify, as Server-Sent Events read with fetch: the access token goes in the
// Authorization header (EventSource cannot send one, and a token in the URL would end up in logs). Reconnects with
// back-off and Last-Event-ID, so what happened while it was away is replayed.
import * as api from './api.js';

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

export function deskStream(url, { onEvent, onState }) {
  const key = `daprchat.desk-last-event.${api.auth.accountId}`;
  let lastId = sessionStorage.getItem(key);
  let controller = null;
  let stopped = false;

  function dispatch(block) {
    let id = null; let kind = 'message'; const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('event:')) kind = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (!data.length) return; // comments and keep-alives
    if (id !== null) { lastId = id; sessionStorage.setItem(key, id); }
    try { onEvent({ kind, ...JSON.parse(data.join('\n')) }); } catch { /* a malformed event is skipped, the stream goes on */ }
  }

  async function run() {
    let delay = 1000;
    while (!stopped) {
      controller = new AbortController();
      try {
        const token = await api.bearer();
        if (!token) return;
        const headers = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const response = await fetch(url, { headers, signal: controller.signal, cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        onState('up');
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch { /* dropped, refused or unreachable: back off and try again */ }
      if (stopped) return;
      onState('down');
      await sleep(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }

  run();
  return { close() { stopped = true; controller?.abort(); } };
}
