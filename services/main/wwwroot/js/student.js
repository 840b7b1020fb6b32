// The student's DaprChat: the library of books, a chat request's progress, and the chat itself.
import * as api from './api.js';
import { el, roughly } from './dom.js';
import { ChatClient } from './chat-client.js';
import { chatView, closedBy } from './chat-view.js';
import { helpSentence } from './help.js';

const statusText = { available: 'Available now', busy: 'Busy', away: 'Away', offline: 'Offline' };
const roleText = { counselor: 'Counsellor', volunteer: 'Volunteer' };
// The one thing kept across a reload besides the sign-in: which chat was on screen (an id; never text or a ticket).
const openChatKey = 'daprchat.open-chat';
const secondsUntil = time => Math.max(0, (Date.parse(time) - Date.now()) / 1000);

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

export function studentApp({ main, show, layout, announce, config, resumed }) {
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

  async function library({ onlyFree = false } = {}) {
    clearTimers();
    closeChat();
    sessionStorage.removeItem(openChatKey);
    const error = el('p', { class: 'error library-error', role: 'alert' });
    const list = el('ul', { class: 'books', 'aria-label': 'Counsellors and volunteers' });
    const mine = el('ul', { class: 'my-chats' });
    const filters = el('form', { class: 'filters', 'aria-label': 'Filter the library' });
    const onlyAvailable = el('input', { type: 'checkbox', id: 'filter-available', name: 'available', checked: onlyFree });
    const whatNext = el('p', { class: 'what-next', 'data-testid': 'what-next' });
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
      whatNext,
      el('section', { 'aria-label': 'Your open chats' }, mine),
      filters, error, list));
    mine.hidden = true;
    // What asking means, before anyone asks: the wait is main's real request timeout.
    config.then(c => {
      whatNext.textContent = c
        ? `When you ask someone, they are asked to join within ${roughly(c.requestTimeoutSeconds)}. If they can't, we'll show you who else is free.`
        : "When you ask someone, they are asked to join soon. If they can't, we'll show you who else is free.";
    });
    await load();
    if (!disposed) every(8000, load);
  }

  function openSession(session, firstTicket = null) {
    clearTimers();
    closeChat();
    sessionStorage.setItem(openChatKey, session.id);
    const name = session.counselor.displayName;
    const statusLine = el('div', { class: 'request-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'request-status' });
    const countdown = el('p', { class: 'countdown' });
    const nextStep = el('div', { class: 'next-step', 'data-testid': 'next-step', hidden: true });
    const chatArea = el('div', { class: 'chat-area' });
    const back = el('button', { type: 'button', class: 'secondary back', 'aria-label': 'Back to the library', onclick: () => library() }, '← Library');
    show(el('div', { class: 'session' }, el('div', { class: 'session-bar' }, back, el('h1', {}, `Chat with ${name}`)), statusLine, countdown, nextStep, chatArea));

    let ticket = firstTicket;
    let seen = session; // main's latest word on this session
    const client = new ChatClient(session.id, async () => {
      if (ticket) { const t = ticket; ticket = null; if (Date.parse(t.expiresAt) - Date.now() > 30_000) return t; }
      return api.call('POST', `/api/sessions/${encodeURIComponent(session.id)}/ticket`);
    });
    const view = chatView(client, {
      title: name,
      showClosing: false,
      onEnd: async () => {
        // Before anyone joined this withdraws the request (main frees the slot); after, chat ends it for both.
        if (seen.status === 'active' && client.state === 'open') client.end();
        else render(await api.call('POST', `/api/sessions/${encodeURIComponent(session.id)}/end`));
      },
    });
    chat = { client, view };
    // They are here before the next poll says so: ask main now, so "hasn't joined yet" goes the moment they join.
    client.addEventListener('presence', () => { if (seen.status === 'pending' && client.otherOnline) refresh(); });
    client.addEventListener('state', event => {
      if (!['ended', 'expired', 'refused'].includes(event.detail.state)) return;
      // chat says so at once; main hears it through an event a moment later. Say it now, then take main's word.
      render(seen);
      refresh();
    });

    /** main's view, unless chat already said the chat is over: then it is over, whatever an older answer says. */
    function settled(s) {
      if (!['pending', 'active'].includes(s.status) || !client.closing) return s;
      const by = closedBy(client);
      return { ...s, status: by === 'expired' ? 'expired' : 'ended', closedBy: by === 'me' ? s.pseudonym : by === 'other' ? s.counselor.id : s.closedBy };
    }

    function closingText(s) {
      const mine = s.closedBy === s.pseudonym;
      if (s.status === 'expired') return ['This chat has expired and its messages are gone.', 'You can start a new chat whenever you need.'];
      if (mine && !s.joinedAt) return ['You cancelled your request.', 'You can ask again, or talk to someone else, whenever you are ready.'];
      if (mine) return ['You ended the chat.', 'Thank you for talking with us. You can start a new chat whenever you need.'];
      if (s.closedBy === s.counselor.id) return [`${name} ended the chat.`, 'If there is more on your mind, someone else can listen now.'];
      return ['This chat has ended.', 'You can start a new chat whenever you need.'];
    }

    function render(answer) {
      seen = answer;
      const s = settled(answer);
      const closed = !['pending', 'active'].includes(s.status);
      const [text, thanks] = {
        pending: [`Waiting for ${name} to join. You can start writing; they will see it when they join.`],
        active: [`${name} has joined. You are talking with them now.`],
        declined: [`${name} can't take this chat right now. It isn't about you. Here is who else is free:`],
        timed_out: [`${name} didn't answer in time. Here is who else is free now:`],
      }[s.status] ?? closingText(s);
      // The live region speaks only when the state changes; the countdown beside it stays silent.
      if (statusLine.dataset.status !== s.status) {
        const wasInChat = chatArea.contains(document.activeElement) || document.activeElement === document.body;
        // What was written to a request nobody joined is deleted by chat; the student should not wonder where it went.
        statusLine.textContent = s.messagesErased ? `${text} What you wrote while waiting has been deleted, since nobody read it.` : text;
        statusLine.dataset.status = s.status;
        // Once they have joined the banner steps aside for the conversation; the live region has said it.
        statusLine.classList.toggle('collapsed', s.status === 'active');
        nextStep.replaceChildren(...(closed ? nextStepFor(s, thanks) : []));
        nextStep.hidden = !closed;
        if (closed && wasInChat) nextStep.querySelector('button')?.focus();
      }
      countdown.textContent = s.status === 'pending'
        ? `If ${name} can't join within ${roughly(secondsUntil(s.requestExpiresAt))}, we'll suggest someone else who is free.`
        : '';
      view.setWaiting(s.status === 'pending' ? `${name} hasn't joined yet` : null);
      if (s.status === 'pending' || s.status === 'active') {
        if (!chatArea.childElementCount) { chatArea.append(view.root); client.connect(); }
      } else {
        if (client.state !== 'ended' && client.state !== 'expired') client.close();
        // After an end what was said stays readable (in this page's memory only); a refused request makes room for who else is free.
        if (s.status !== 'ended' || !view.root.querySelector('ol.messages > li')) chatArea.replaceChildren();
      }
      // Full height only while there is a composer to keep in reach; an ended chat scrolls like any page.
      layout(closed ? '' : 'chat');
    }

    function nextStepFor(s, thanks) {
      if (s.status === 'declined' || s.status === 'timed_out') {
        const others = s.alternatives ?? [];
        return [
          el('ul', { class: 'books alternatives', 'aria-label': 'Others you can talk to now' },
            ...(others.length ? others.map(b => bookCard(b, ask)) : [el('li', { class: 'empty' }, 'Nobody else is free this minute. Please try again shortly.')])),
          helpSentence()];
      }
      return [el('p', { class: 'thanks' }, thanks),
        el('button', { type: 'button', onclick: () => library({ onlyFree: true }) }, 'Talk to someone else'),
        helpSentence()];
    }

    async function refresh() {
      try { render(await api.call('GET', `/api/sessions/${encodeURIComponent(session.id)}`)); } catch (e) { statusLine.textContent = e.message; }
    }

    render(session);
    every(3000, () => { if (['pending', 'active'].includes(statusLine.dataset.status)) refresh(); });
  }

  /** After a reload, back to the chat that was on screen (the counsellor's desk reopens its tabs the same way). */
  async function start() {
    const id = resumed ? sessionStorage.getItem(openChatKey) : null;
    if (id) {
      try { openSession(await api.call('GET', `/api/sessions/${encodeURIComponent(id)}`)); return; } catch { /* gone: the library */ }
    }
    library();
  }

  start();
  return { dispose() { disposed = true; clearTimers(); closeChat(); sessionStorage.removeItem(openChatKey); } };
}
