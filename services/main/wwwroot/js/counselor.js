// The counsellor's (or volunteer's) desk: status, waiting requests, and every active chat in its own tab with an
// unread count. Students appear by alias and pseudonym only.
import * as api from './api.js';
import { el, timeLeft } from './dom.js';
import { ChatClient } from './chat-client.js';
import { chatView, closedBy } from './chat-view.js';
import { deskStream } from './desk-stream.js';
import { summaryPanel } from './summary-panel.js';

const statuses = [['available', 'Available'], ['busy', 'Busy'], ['away', 'Away'], ['offline', 'Offline']];

export function counselorApp({ show, layout, announce }, me) {
  const chats = new Map(); // sessionId → { session, client, view, tab, panel, badge }
  let selected = null;
  let disposed = false;

  const statusSelect = el('select', { id: 'my-status' }, ...statuses.map(([v, t]) => el('option', { value: v }, t)));
  const statusNote = el('span', { class: 'note', role: 'status', 'aria-live': 'polite' });
  const requests = el('ul', { class: 'requests', 'aria-label': 'Waiting requests' });
  const error = el('p', { class: 'error', role: 'alert' });
  const tablist = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Your chats' });
  const panels = el('div', { class: 'panels' });
  const noChats = el('p', { class: 'empty' }, 'No active chats. Join a waiting request to start one.');
  // Quiet by design: a toast that fades, never a sound or a modal; the live region says it to screen readers.
  const toasts = el('div', { class: 'toasts', 'aria-hidden': 'true' });
  const live = el('span', { class: 'live-state', 'data-testid': 'live-state', 'data-state': 'connecting' }, 'Connecting…');
  const alerts = el('button', { type: 'button', class: 'secondary small', hidden: true }, 'Alert me in other tabs');

  const profileForm = profileEditor();
  show(el('div', { class: 'desk' },
    el('div', { class: 'desk-side' },
      el('h1', {}, `${me.displayName}'s desk`),
      el('p', { class: 'desk-live' }, live, alerts),
      el('div', { class: 'field inline' }, el('label', { for: 'my-status' }, 'Your status'), statusSelect, statusNote),
      error,
      // Who is waiting comes before the profile: it is what cannot wait.
      el('section', { 'aria-labelledby': 'requests-title' }, el('h2', { id: 'requests-title' }, 'Waiting to talk'), requests),
      profileForm),
    el('section', { 'aria-labelledby': 'chats-title', class: 'chats' }, el('h2', { id: 'chats-title' }, 'Your chats'), noChats, tablist, panels),
    toasts));
  // On a desktop the desk is one screen: the chat column keeps its composer in view however long the lists get.
  layout('desk');

  statusSelect.addEventListener('change', async () => {
    try {
      const profile = await api.call('PUT', '/api/dashboard/status', { status: statusSelect.value });
      statusNote.textContent = `You are now ${statuses.find(([v]) => v === profile.status)?.[1].toLowerCase()}.`;
    } catch (e) { error.textContent = e.message; }
  });

  function profileEditor() {
    const fields = [['displayName', 'Display name'], ['bio', 'A line about you'], ['topics', 'Topics (comma-separated)'], ['languages', 'Languages (comma-separated)']];
    const saved = el('span', { class: 'note', role: 'status' });
    const form = el('form', { class: 'profile' },
      ...fields.map(([name, label]) => el('div', { class: 'field' }, el('label', { for: `profile-${name}` }, label), el('input', { id: `profile-${name}`, name }))),
      el('button', { type: 'submit' }, 'Save profile'), saved);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const v = Object.fromEntries(new FormData(form));
      const list = s => s.split(',').map(x => x.trim()).filter(Boolean);
      try {
        await api.call('PUT', '/api/dashboard/profile', { displayName: v.displayName, bio: v.bio, topics: list(v.topics), languages: list(v.languages) });
        saved.textContent = 'Saved.';
      } catch (e) { saved.textContent = e.message; }
    });
    return el('details', { class: 'profile-box' }, el('summary', {}, 'Your profile in the library'), form);
  }

  function select(sessionId) {
    selected = sessionId;
    for (const [id, c] of chats) {
      const on = id === sessionId;
      c.tab.setAttribute('aria-selected', String(on));
      c.tab.tabIndex = on ? 0 : -1;
      c.panel.hidden = !on;
    }
    chats.get(sessionId)?.view.markRead();
    updateBadges();
  }

  const endedShort = { me: 'you ended it', other: 'they ended it', expired: 'expired', unknown: 'ended' };

  function updateBadges() {
    for (const c of chats.values()) {
      const unread = c.client.unread;
      const ended = endedShort[closedBy(c.client)] ?? '';
      c.badge.textContent = unread ? String(unread) : '';
      c.badge.hidden = unread === 0;
      c.ended.textContent = ended;
      c.ended.hidden = !ended;
      c.tab.setAttribute('aria-label', `${c.session.studentAlias}${unread ? `, ${unread} unread` : ''}${ended ? `, ${ended}` : ''}`);
    }
    noChats.hidden = chats.size > 0;
  }

  /** The tab's title counts who is waiting, so a counsellor working in another tab sees a request arrive. */
  function updateTitle(waiting) {
    document.title = waiting ? `(${waiting} waiting) DaprChat` : 'DaprChat';
  }

  function openChat(session, firstTicket = null) {
    if (chats.has(session.id)) { select(session.id); return; }
    let ticket = firstTicket;
    const client = new ChatClient(session.id, async () => {
      if (ticket) { const t = ticket; ticket = null; return t; }
      return api.call('POST', `/api/dashboard/sessions/${encodeURIComponent(session.id)}/join`);
    });
    const tabId = `tab-${session.id}`;
    const panelId = `panel-${session.id}`;
    const badge = el('span', { class: 'badge', hidden: true, 'aria-hidden': 'true', 'data-testid': 'unread' });
    const ended = el('span', { class: 'tab-ended', hidden: true, 'aria-hidden': 'true', 'data-testid': 'tab-ended' });
    const close = el('button', { type: 'button', class: 'close-tab', hidden: true, 'aria-label': `Close the chat with ${session.studentAlias}` }, '×');
    const tab = el('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'aria-selected': 'false', tabindex: '-1' },
      session.studentAlias, badge, ended);
    const panel = el('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, hidden: true });
    const view = chatView(client, {
      title: `${session.studentAlias} (${session.studentPseudonym})`,
      isActive: () => selected === session.id,
      onEnd: async () => {
        if (client.state === 'open') client.end();
        else await api.call('POST', `/api/dashboard/sessions/${encodeURIComponent(session.id)}/end`);
      },
    });
    panel.append(view.root, summaryPanel(session.id, view.root).root);
    const entry = { session, client, view, tab, panel, badge, ended };
    chats.set(session.id, entry);
    tab.addEventListener('click', () => select(session.id));
    tab.addEventListener('keydown', event => {
      const ids = [...chats.keys()];
      const i = ids.indexOf(session.id);
      const next = event.key === 'ArrowRight' ? ids[(i + 1) % ids.length] : event.key === 'ArrowLeft' ? ids[(i - 1 + ids.length) % ids.length] : null;
      if (next) { event.preventDefault(); select(next); chats.get(next).tab.focus(); }
    });
    close.addEventListener('click', () => {
      client.close();
      tab.parentElement?.remove();
      panel.remove();
      chats.delete(session.id);
      if (selected === session.id) { const first = chats.keys().next().value; if (first) select(first); else selected = null; }
      updateBadges();
    });
    client.addEventListener('message', event => {
      updateBadges();
      if (selected !== session.id && event.detail.senderId !== client.me?.id) announce(`New message from ${session.studentAlias}`);
    });
    client.addEventListener('receipts', updateBadges);
    client.addEventListener('state', event => {
      close.hidden = !['ended', 'expired', 'refused'].includes(event.detail.state);
      // The open tab says it in its own status line; another tab's end is announced here, once.
      if (['ended', 'expired'].includes(event.detail.state) && selected !== session.id) {
        announce(closedBy(client) === 'other' ? view.closingText() : `The chat with ${session.studentAlias} has ${event.detail.state}.`);
      }
      updateBadges();
    });
    tablist.append(el('div', { class: 'tab-wrap' }, tab, close));
    panels.append(panel);
    client.connect();
    if (!selected || !chats.has(selected)) select(session.id);
    updateBadges();
  }

  async function join(session) {
    try {
      const ticket = await api.call('POST', `/api/dashboard/sessions/${encodeURIComponent(session.id)}/join`);
      openChat({ ...session, status: 'active' }, ticket);
      select(session.id);
      chats.get(session.id)?.view.focus();
      await load();
    } catch (e) { error.textContent = e.message; }
  }

  async function decline(session) {
    try { await api.call('POST', `/api/dashboard/sessions/${encodeURIComponent(session.id)}/decline`); await load(); } catch (e) { error.textContent = e.message; }
  }

  function toast(text) {
    const item = el('div', { class: 'toast', 'data-testid': 'toast' }, text);
    toasts.append(item);
    setTimeout(() => item.remove(), 6000);
  }

  /** A system notification only when the desk is in a background tab and the counsellor allowed it; never any names. */
  function backgroundAlert(sessionId) {
    if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
    const n = new Notification('DaprChat', { body: 'Someone is waiting to talk', tag: `request-${sessionId}` });
    n.onclick = () => { window.focus(); n.close(); };
  }

  if ('Notification' in window && Notification.permission === 'default') {
    alerts.hidden = false;
    alerts.addEventListener('click', async () => { await Notification.requestPermission(); alerts.hidden = true; });
  }

  let known = null;
  async function load() {
    try {
      const sessions = await api.call('GET', '/api/dashboard/sessions');
      const pending = sessions.filter(s => s.status === 'pending');
      for (const s of pending) {
        if (known && !known.has(s.id)) {
          announce(`${s.studentAlias} is waiting to talk.`);
          toast(`${s.studentAlias} is waiting to talk`);
          backgroundAlert(s.id);
        }
      }
      known = new Set(pending.map(s => s.id));
      updateTitle(pending.length);
      requests.replaceChildren(...pending.map(s => el('li', { class: 'request', 'data-session': s.id },
        el('span', {}, el('strong', {}, s.studentAlias), ` (${s.studentPseudonym}) is waiting — answer within ${timeLeft(s.requestExpiresAt)}`),
        el('button', { type: 'button', onclick: () => join(s) }, `Join ${s.studentAlias}`),
        el('button', { type: 'button', class: 'secondary', onclick: () => decline(s) }, 'Decline'))));
      if (!pending.length) requests.append(el('li', { class: 'empty' }, 'Nobody is waiting.'));
      // Every active chat gets a tab, also after a reload: that is where its unread count lives.
      for (const s of sessions.filter(x => x.status === 'active' && !chats.has(x.id))) openChat(s);
      error.textContent = '';
    } catch (e) { error.textContent = e.message; }
  }

  api.call('GET', '/api/dashboard/profile').then(profile => {
    statusSelect.value = profile.status;
    for (const [name, value] of Object.entries({ displayName: profile.displayName, bio: profile.bio, topics: profile.topics.join(', '), languages: profile.languages.join(', ') })) {
      profileForm.querySelector(`[name="${name}"]`).value = value;
    }
  }).catch(e => { error.textContent = e.message; });
  load();
  // Live notifications from notify; only while the stream is down does the desk fall back to a slow poll.
  const slowPoll = 30_000;
  let poll = null;
  let reload = null;
  const stream = api.clientConfig().then(config => deskStream(config?.notificationStreamUrl ?? '/notifications/stream', {
    onEvent: () => {
      // A burst of notifications is one reload of the lists.
      reload ??= setTimeout(() => { reload = null; if (!disposed) load(); }, 150);
    },
    onState: state => {
      live.dataset.state = state;
      live.textContent = state === 'up' ? 'Live' : 'Reconnecting…';
      if (state === 'up') { clearInterval(poll); poll = null; }
      else poll ??= setInterval(() => { if (!disposed) load(); }, slowPoll);
    },
  }));
  updateBadges();

  return {
    dispose() {
      disposed = true;
      clearInterval(poll);
      clearTimeout(reload);
      stream.then(s => s.close());
      updateTitle(0);
      for (const c of chats.values()) c.client.close();
      chats.clear();
    },
  };
}
