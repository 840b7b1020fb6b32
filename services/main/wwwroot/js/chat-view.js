// One conversation on screen, bound to a ChatClient. Message text only ever goes into the DOM as textContent and
// into the client's memory: nothing here writes it to storage, the URL or the console.
import { el } from './dom.js';

const connectionText = {
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting… Your messages will be sent when it is back.',
  refused: 'You can no longer join this chat.',
};

function retentionText(seconds) {
  const hours = Math.round(seconds / 3600);
  const span = hours >= 1 ? `${hours} hour${hours === 1 ? '' : 's'}` : `${Math.max(1, Math.round(seconds / 60))} minutes`;
  return `This chat disappears ${span} after the last message. Nothing from it is kept on this device.`;
}

/** Who closed the chat, from this side: 'me', 'other', 'expired', or 'unknown' (chat did not say). */
export function closedBy(client) {
  const c = client.closing;
  if (!c) return null;
  if (c.state === 'expired' || c.reason === 'expired') return 'expired';
  if (c.endedBy && c.endedBy === client.me?.id) return 'me';
  if (c.endedBy && c.endedBy !== 'system') return 'other';
  return 'unknown';
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * @param {import('./chat-client.js').ChatClient} client
 * @param {{ title: string, onEnd: () => Promise<void>, isActive?: () => boolean, showClosing?: boolean }} options
 *   showClosing: say here how the chat ended (the student's screen says it itself, once, beside the next step).
 */
export function chatView(client, { title, onEnd, isActive = () => true, showClosing = true }) {
  const id = `chat-${client.sessionId}`;
  const heading = el('h2', { id: `${id}-title` }, title);
  const presence = el('span', { class: 'presence', 'data-testid': 'presence' });
  const endButton = el('button', { type: 'button', class: 'secondary end-chat' }, 'End chat');
  const confirmText = el('p', {});
  const confirmYes = el('button', { type: 'button', class: 'danger', 'data-action': 'confirm-end' });
  const confirmNo = el('button', { type: 'button', class: 'secondary', 'data-action': 'cancel-end' });
  const confirmEnd = el('div', { class: 'confirm', hidden: true, role: 'group', 'aria-label': 'Confirm ending the chat' }, confirmText, confirmYes, confirmNo);
  const retention = el('p', { class: 'retention', role: 'note' }, retentionText(client.retentionSeconds));
  const connection = el('p', { class: 'connection', role: 'status', 'aria-live': 'polite', 'data-testid': 'connection' });
  const log = el('ol', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': `Messages with ${title}` });
  // The scrolling box holds the 24-hour note above the first message, so it scrolls away instead of taking a row.
  const scroller = el('div', { class: 'scroller', tabindex: '0', role: 'region', 'aria-label': `Conversation with ${title}` }, retention, log);
  const typing = el('p', { class: 'typing', 'aria-live': 'polite', 'data-testid': 'typing' });
  const errorLine = el('p', { class: 'error', role: 'alert' });
  const input = el('textarea', { id: `${id}-input`, rows: '1', maxlength: String(client.maxMessageLength * 2), autocomplete: 'off', placeholder: 'Write a message', enterkeyhint: 'send' });
  const counter = el('span', { class: 'counter', 'aria-live': 'polite' });
  const sendButton = el('button', { type: 'submit' }, 'Send');
  const composer = el('form', { class: 'composer', 'data-testid': 'composer' },
    el('label', { for: input.id, class: 'visually-hidden' }, 'Your message'),
    el('div', { class: 'composer-row' }, input, sendButton),
    el('div', { class: 'composer-actions' }, el('span', { class: 'hint' }, 'Enter sends, Shift+Enter adds a line'), counter));
  const root = el('section', { class: 'chat', 'aria-labelledby': heading.id, 'data-session': client.sessionId },
    el('header', { class: 'chat-header' }, el('div', { class: 'who' }, heading, presence), endButton), confirmEnd, connection, scroller, typing, errorLine, composer);

  const ownItems = new Map(); // seq or clientId → li of my own message
  let waitingText = null; // while the other side has not joined: what to say instead of their presence
  let atBottom = true; // follow new messages (and a shrinking screen) only when the reader is at the latest

  function scrollToLatest() { scroller.scrollTop = scroller.scrollHeight; }
  // A scroll event can be handled after the box shrank but before the resize observer ran: judge it by the height the
  // reader saw, so the keyboard opening does not count as scrolling away from the latest message.
  let seenHeight = 0;
  scroller.addEventListener('scroll', () => { atBottom = scroller.scrollHeight - scroller.scrollTop - (seenHeight || scroller.clientHeight) < 48; });
  // The keyboard opening shrinks the box: keep the latest message in sight.
  new ResizeObserver(() => { seenHeight = scroller.clientHeight; if (atBottom) scrollToLatest(); }).observe(scroller);

  function markFor(seq) {
    const other = client.other;
    if (seq === undefined) return ['sending', 'Sending…'];
    if (other && (client.readUpTo[other.id] ?? 0) >= seq) return ['read', 'Read'];
    if (client.deliveredUpTo >= seq) return ['delivered', 'Delivered'];
    return ['sent', 'Sent'];
  }

  function messageItem(message, seq) {
    const mine = message.senderId === undefined || message.senderId === client.me?.id;
    const who = mine ? 'You' : (client.participants.find(p => p.id === message.senderId)?.name ?? 'Them');
    const item = el('li', { class: mine ? 'mine' : 'theirs', 'data-seq': seq ?? '' },
      el('span', { class: 'sender' }, who),
      el('p', { class: 'text' }, message.content),
      el('span', { class: 'meta' }, message.sentAt ? el('time', { datetime: message.sentAt }, timeFormat.format(new Date(message.sentAt))) : ''));
    if (mine) {
      const mark = el('span', { class: 'mark', 'data-testid': 'mark' });
      item.querySelector('.meta').append(mark);
    }
    return item;
  }

  function updateMarks() {
    for (const item of log.querySelectorAll('li.mine:not(.failed)')) {
      const seq = item.dataset.seq ? Number(item.dataset.seq) : undefined;
      const [state, text] = markFor(seq);
      const mark = item.querySelector('.mark');
      if (mark.dataset.state !== state) { mark.dataset.state = state; mark.textContent = text; }
    }
  }

  function renderMessage(message) {
    const pendingItem = ownItems.get(message.clientId);
    const item = messageItem(message, message.seq);
    if (pendingItem) { pendingItem.replaceWith(item); ownItems.delete(message.clientId); }
    else {
      // Sequence order, even when a resume fills an earlier gap; the usual case, a newer message, skips the search.
      const firstPending = log.querySelector('li.pending');
      const last = firstPending ? firstPending.previousElementSibling : log.lastElementChild;
      const later = last && Number(last.dataset.seq) > message.seq
        ? [...log.querySelectorAll('li[data-seq]')].find(li => li.dataset.seq && Number(li.dataset.seq) > message.seq)
        : null;
      log.insertBefore(item, later ?? firstPending ?? null);
    }
    const mine = message.senderId === client.me?.id;
    if (mine) ownItems.set(message.seq, item);
    else typing.textContent = '';
    updateMarks();
    maybeMarkRead();
    if (atBottom || mine) scrollToLatest();
  }

  function renderPending(ack) {
    // An ack carries the sequence number before the message frame itself arrives.
    const acked = ack && ownItems.get(ack.clientId);
    if (acked) acked.dataset.seq = ack.seq;
    for (const p of client.pending.values()) {
      if (ownItems.has(p.clientId)) continue;
      const item = messageItem({ content: p.content }, undefined);
      item.classList.add('pending');
      ownItems.set(p.clientId, item);
      log.append(item);
    }
    updateMarks();
    scrollToLatest();
  }

  /** How the chat ended, as one sentence; null while it is open. */
  function closingText() {
    const name = client.other?.name ?? title;
    return {
      me: 'You ended the chat.',
      other: `${name} ended the chat.`,
      expired: 'This chat has expired and its messages are gone.',
      unknown: client.state === 'refused' ? connectionText.refused : 'This chat has ended.',
    }[closedBy(client)] ?? null;
  }

  function renderState() {
    const closed = ['ended', 'expired', 'refused', 'closed'].includes(client.state);
    connection.textContent = closed ? (showClosing ? closingText() ?? '' : '') : connectionText[client.state] ?? '';
    connection.dataset.state = client.state;
    input.disabled = closed;
    sendButton.disabled = closed;
    endButton.hidden = closed;
    composer.hidden = closed;
    if (closed) { confirmEnd.hidden = true; typing.textContent = ''; }
    if (client.state === 'expired') log.replaceChildren();
    renderPresence();
  }

  function renderPresence() {
    const other = client.other;
    const closed = ['ended', 'expired', 'refused', 'closed'].includes(client.state);
    // While our own connection is down we cannot know theirs; before they join, say so plainly.
    presence.textContent = closed ? '' : waitingText ?? (!other || client.state !== 'open' ? '' : client.otherOnline ? 'Online' : 'Not in the chat right now');
    presence.dataset.online = String(!waitingText && client.state === 'open' && client.otherOnline);
    if (!client.otherOnline) typing.textContent = '';
    updateMarks();
  }

  function renderEndButton() {
    const waiting = waitingText !== null;
    endButton.textContent = waiting ? 'Cancel request' : 'End chat';
    confirmText.textContent = waiting ? `Cancel your request to talk to ${title}?` : 'End this chat for both of you?';
    confirmYes.textContent = waiting ? 'Yes, cancel it' : 'Yes, end the chat';
    confirmNo.textContent = waiting ? 'Keep waiting' : 'Keep talking';
    confirmEnd.setAttribute('aria-label', waiting ? 'Confirm cancelling the request' : 'Confirm ending the chat');
  }

  function maybeMarkRead() {
    if (document.visibilityState === 'visible' && isActive()) client.markRead();
  }

  let typingTimer;
  // Grows with what is written, up to a few lines (CSS field-sizing where the browser has it).
  const growsByItself = CSS.supports('field-sizing', 'content');
  input.addEventListener('input', () => {
    if (!growsByItself) { input.style.height = 'auto'; input.style.height = `${Math.min(input.scrollHeight, 128)}px`; }
    const length = [...input.value].length;
    counter.textContent = length > client.maxMessageLength - 500 ? `${length} / ${client.maxMessageLength}` : '';
    counter.classList.toggle('over', length > client.maxMessageLength);
    client.setTyping(input.value.trim().length > 0);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => client.setTyping(false), 4000);
  });
  input.addEventListener('keydown', event => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); composer.requestSubmit(); }
  });
  composer.addEventListener('submit', event => {
    event.preventDefault();
    const content = input.value;
    errorLine.textContent = '';
    if (!content.trim()) return;
    if ([...content].length > client.maxMessageLength) {
      errorLine.textContent = `A message can be at most ${client.maxMessageLength} characters. Split it into two?`;
      return;
    }
    // No "stopped typing" frame: a message clears the typing line on the other side by itself.
    clearTimeout(typingTimer);
    client.send(content);
    input.value = '';
    counter.textContent = '';
    input.focus();
  });
  endButton.addEventListener('click', () => { confirmEnd.hidden = false; confirmYes.focus(); });
  confirmEnd.addEventListener('click', async event => {
    const action = event.target.closest('button')?.dataset.action;
    if (action === 'cancel-end') { confirmEnd.hidden = true; endButton.focus(); }
    if (action === 'confirm-end') {
      confirmEnd.hidden = true;
      try { await onEnd(); } catch (error) { errorLine.textContent = error.message; }
    }
  });
  document.addEventListener('visibilitychange', maybeMarkRead);

  client.addEventListener('welcome', () => { retention.textContent = retentionText(client.retentionSeconds); renderPresence(); maybeMarkRead(); });
  client.addEventListener('message', event => renderMessage(event.detail));
  client.addEventListener('pending', event => {
    if (event.detail && errorLine.dataset.code === 'rate_limited') { errorLine.textContent = ''; errorLine.dataset.code = ''; }
    renderPending(event.detail);
  });
  client.addEventListener('receipts', updateMarks);
  client.addEventListener('presence', renderPresence);
  client.addEventListener('state', renderState);
  client.addEventListener('typing', () => {
    typing.textContent = client.typing && client.other ? `${client.other.name} is typing…` : '';
  });
  client.addEventListener('error', event => {
    const frame = event.detail;
    if (frame.clientId) {
      const item = ownItems.get(frame.clientId);
      if (item && frame.failedContent !== undefined) {
        item.classList.add('failed');
        item.querySelector('.mark').textContent = 'Not sent';
        ownItems.delete(frame.clientId);
      }
    }
    errorLine.textContent = frame.code === 'rate_limited' ? 'You are sending very fast; your messages will go in a moment.' : frame.message;
    errorLine.dataset.code = frame.code;
  });

  renderState();
  renderEndButton();
  return {
    root,
    focus: () => input.focus(),
    markRead: maybeMarkRead,
    closingText,
    /** Before the other side joins: what their presence line says instead, and "Cancel request" for "End chat". */
    setWaiting(text) {
      if (waitingText === text) return;
      waitingText = text;
      renderPresence();
      renderEndButton();
    },
  };
}
