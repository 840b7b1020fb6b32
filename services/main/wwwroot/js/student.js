// The student's DaprChat: the library of books, a chat request's progress, and the chat itself.
import * as api from './api.js';
import { el, timeLeft } from './dom.js';
import { ChatClient } from './chat-client.js';
import { chatView } from './chat-view.js';

const statusText = { available: 'Available now', busy: 'Busy', away: 'Away', offline: 'Offline' };
const roleText = { counselor: 'Counsellor', volunteer: 'Volunteer' };

export function bookCard(book, onAsk) {
  const load = `${book.activeChats} of ${book.maxActiveChats} chats in progress`;
  const reason = book.acceptingRequests ? '' : book.status === 'available' ? 'No free chat slot right now' : `${statusText[book.status] ?? book.status}`;
  return el('li', { class: 'book', 'data-book': book.id },
    el('h3', {}, book.displayName),
    el('p', { class: 'role' }, roleText[book.role] ?? book.role),
    book.bio ? el('p', { class: 'bio' }, book.bio) : null,
    el('dl', {},
      el('dt', {}, 'Topics'), el('dd', {}, book.topics.length ? book.topics.join(', ') : '—'),
      el('dt', {}, 'Languages'), el('dd', {}, book.languages.length ? book.languages.join(', ') : '—'),
      el('dt', {}, 'Status'), el('dd', { class: `status status-${book.status}` }, statusText[book.status] ?? book.status),
      el('dt', {}, 'How busy'), el('dd', {}, el('meter', { min: '0', max: String(Math.max(1, book.maxActiveChats)), value: String(book.activeChats), 'aria-label': load }), ` ${load}`)),
    el('button', { type: 'button', disabled: !book.acceptingRequests, onclick: () => onAsk(book), 'aria-describedby': reason ? `why-${book.id}` : null },
      `Ask to talk to ${book.displayName}`),
    reason ? el('p', { class: 'why', id: `why-${book.id}` }, reason) : null);
}

function select(label, name, values) {
  const id = `filter-${name}`;
  return el('div', { class: 'field inline' }, el('label', { for: id }, label),
    el('select', { id, name }, el('option', { value: '' }, 'Any'), ...values.map(v => el('option', { value: v }, v))));
}

export function studentApp({ main, show, announce }) {
  const timers = new Set();
  let chat = null; // { client, view } of the open session
  let disposed = false;

  function every(ms, fn) { const t = setInterval(fn, ms); timers.add(t); return t; }
  function clearTimers() { for (const t of timers) clearInterval(t); timers.clear(); }
  function closeChat() { chat?.client.close(); chat = null; }

  async function ask(book) {
    try {
      const created = await api.call('POST', '/api/sessions', { bookId: book.id });
      openSession(created.session, created.ticket);
    } catch (error) {
      announce(error.message);
      const line = main.querySelector('.library-error');
      if (line) line.textContent = error.message;
    }
  }

  async function library() {
    clearTimers();
    closeChat();
    const error = el('p', { class: 'error library-error', role: 'alert' });
    const list = el('ul', { class: 'books', 'aria-label': 'Counsellors and volunteers' });
    const mine = el('ul', { class: 'my-chats' });
    const filters = el('form', { class: 'filters', 'aria-label': 'Filter the library' });
    const onlyAvailable = el('input', { type: 'checkbox', id: 'filter-available', name: 'available' });
    let books = [];

    function render() {
      const f = Object.fromEntries(new FormData(filters));
      const shown = books.filter(b => (!f.topic || b.topics.includes(f.topic)) && (!f.language || b.languages.includes(f.language)) && (!f.available || b.acceptingRequests));
      list.replaceChildren(...shown.map(b => bookCard(b, ask)));
      if (!shown.length) list.append(el('li', { class: 'empty' }, books.length ? 'Nobody matches these filters. Try “Any”.' : 'Nobody is in the library right now. Please check back soon.'));
    }

    async function load() {
      try {
        const [found, sessions] = await Promise.all([api.call('GET', '/api/directory/books'), api.call('GET', '/api/sessions')]);
        const topics = [...new Set(found.flatMap(b => b.topics))].sort();
        const languages = [...new Set(found.flatMap(b => b.languages))].sort();
        if (!filters.childElementCount || books.flatMap(b => b.topics).join() !== found.flatMap(b => b.topics).join()
          || books.flatMap(b => b.languages).join() !== found.flatMap(b => b.languages).join()) {
          const kept = Object.fromEntries(new FormData(filters));
          filters.replaceChildren(select('Topic', 'topic', topics), select('Language', 'language', languages),
            el('div', { class: 'field inline' }, onlyAvailable, el('label', { for: 'filter-available' }, 'Only who is free now')));
          for (const [k, v] of Object.entries(kept)) if (filters.elements[k] && filters.elements[k].type !== 'checkbox') filters.elements[k].value = v;
        }
        books = found;
        render();
        mine.replaceChildren(...sessions.map(s => el('li', {},
          el('button', { type: 'button', class: 'link', onclick: () => openSession(s) }, `Your chat with ${s.counselor.displayName}`),
          ` — ${s.status === 'pending' ? 'waiting for them to join' : 'active'}`)));
        mine.hidden = sessions.length === 0;
        error.textContent = '';
      } catch (e) {
        error.textContent = e.message;
      }
    }

    filters.addEventListener('change', render);
    show(el('div', { class: 'library' },
      el('h1', {}, 'Who would you like to talk to?'),
      el('p', { class: 'lede' }, 'Each person here is a “book” you can borrow for a conversation. Pick someone who is available now.'),
      el('section', { 'aria-label': 'Your open chats' }, mine),
      filters, error, list));
    mine.hidden = true;
    await load();
    if (!disposed) every(8000, load);
  }

  function openSession(session, firstTicket = null) {
    clearTimers();
    closeChat();
    const name = session.counselor.displayName;
    const statusLine = el('div', { class: 'request-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'request-status' });
    const countdown = el('p', { class: 'countdown' });
    const alternatives = el('ul', { class: 'books alternatives', 'aria-label': 'Others you can talk to now' });
    const chatArea = el('div', { class: 'chat-area' });
    const back = el('button', { type: 'button', class: 'secondary', onclick: () => library() }, '← Back to the library');
    show(el('div', { class: 'session' }, back, el('h1', {}, `Chat with ${name}`), statusLine, countdown, alternatives, chatArea));

    let ticket = firstTicket;
    const client = new ChatClient(session.id, async () => {
      if (ticket) { const t = ticket; ticket = null; if (Date.parse(t.expiresAt) - Date.now() > 30_000) return t; }
      return api.call('POST', `/api/sessions/${encodeURIComponent(session.id)}/ticket`);
    });
    const view = chatView(client, {
      title: name,
      onEnd: async () => {
        if (client.state === 'open') client.end();
        else await api.call('POST', `/api/sessions/${encodeURIComponent(session.id)}/end`);
        await refresh();
      },
    });
    chat = { client, view };
    client.addEventListener('state', event => { if (['ended', 'expired'].includes(event.detail.state)) refresh(); });

    function render(s) {
      const text = {
        pending: `Waiting for ${name} to join. You can start writing; they will see it when they join.`,
        active: `${name} has joined. You are talking with them now.`,
        declined: `${name} can't take this chat right now. It isn't about you. Here is who else is free:`,
        timed_out: `${name} didn't answer in time. Here is who else is free now:`,
        ended: s.joinedAt ? 'This chat has ended. Thank you for talking with us. You can start a new chat whenever you need.'
          : 'You cancelled this request. You can start a new chat whenever you need.',
        expired: 'This chat has expired and its messages are gone.',
      }[s.status] ?? s.status;
      // What was written to a request nobody joined is deleted by chat; the student should not wonder where it went.
      const erased = s.messagesErased ? ' What you wrote while waiting has been deleted, since nobody read it.' : '';
      // The live region speaks only when the state changes; the countdown beside it stays silent.
      if (statusLine.dataset.status !== s.status) { statusLine.textContent = text + erased; statusLine.dataset.status = s.status; }
      countdown.textContent = s.status === 'pending' ? `If they can't join within ${timeLeft(s.requestExpiresAt)}, we'll suggest someone else.` : '';
      alternatives.replaceChildren(...(s.alternatives ?? []).map(b => bookCard(b, ask)));
      if (s.status === 'pending' || s.status === 'active') {
        if (!chatArea.childElementCount) { chatArea.append(view.root); client.connect(); }
      } else if (['declined', 'timed_out'].includes(s.status)) {
        client.close();
        chatArea.replaceChildren();
        if (!s.alternatives?.length) alternatives.append(el('li', { class: 'empty' }, 'Nobody else is free this minute. Please try again shortly.'));
      }
    }

    async function refresh() {
      try { render(await api.call('GET', `/api/sessions/${encodeURIComponent(session.id)}`)); } catch (e) { statusLine.textContent = e.message; }
    }

    render(session);
    every(3000, () => { if (['pending', 'active'].includes(statusLine.dataset.status)) refresh(); });
  }

  library();
  return { dispose() { disposed = true; clearTimers(); closeChat(); } };
}
