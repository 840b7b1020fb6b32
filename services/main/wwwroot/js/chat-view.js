// One conversation on screen, bound to a ChatClient. Message text only ever goes into the DOM as textContent and
// into the client's memory: nothing here writes it to storage, the URL or the console.
import { el } from './dom.js';

const connectionText = {
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting… Your messages will be sent when it is back.',
  open: '',
  ended: 'This chat has ended.',
  expired: 'This chat has expired and its messages are gone.',
  refused: 'You can no longer join this chat.',
  closed: '',
};

function retentionText(seconds) {
  const hours = Math.round(seconds / 3600);
  const span = hours >= 1 ? `${hours} hour${hours === 1 ? '' : 's'}` : `${Math.max(1, Math.round(seconds / 60))} minutes`;
  return `This chat disappears ${span} after the last message. Nothing from it is kept on this device.`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * @param {import('./chat-client.js').ChatClient} client
 * @param {{ title: string, onEnd: () => Promise<void>, isActive?: () => boolean }} options
 */
export function chatView(client, { title, onEnd, isActive = () => true }) {
  const id = `chat-${client.sessionId}`;
  const heading = el('h2', { id: `${id}-title` }, title);
  const presence = el('span', { class: 'presence', 'data-testid': 'presence' });
  const endButton = el('button', { type: 'button', class: 'secondary' }, 'End chat');
  const confirmEnd = el('div', { class: 'confirm', hidden: true, role: 'group', 'aria-label': 'Confirm ending the chat' },
    el('p', {}, 'End this chat for both of you?'),
    el('button', { type: 'button', class: 'danger', 'data-action': 'confirm-end' }, 'Yes, end the chat'),
    el('button', { type: 'button', class: 'secondary', 'data-action': 'cancel-end' }, 'Keep talking'));
  const retention = el('p', { class: 'retention', role: 'note' }, retentionText(client.retentionSeconds));
  const connection = el('p', { class: 'connection', role: 'status', 'aria-live': 'polite', 'data-testid': 'connection' });
  const log = el('ol', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': `Messages with ${title}`, tabindex: '0' });
  const typing = el('p', { class: 'typing', 'aria-live': 'polite', 'data-testid': 'typing' });
  const errorLine = el('p', { class: 'error', role: 'alert' });
  const input = el('textarea', { id: `${id}-input`, rows: '2', maxlength: String(client.maxMessageLength * 2), autocomplete: 'off' });
  const counter = el('span', { class: 'counter', 'aria-live': 'polite' });
  const sendButton = el('button', { type: 'submit' }, 'Send');
  const composer = el('form', { class: 'composer' },
    el('label', { for: input.id }, 'Your message'), input,
    el('div', { class: 'composer-actions' }, el('span', { class: 'hint' }, 'Enter sends, Shift+Enter adds a line'), counter, sendButton));
  const root = el('section', { class: 'chat', 'aria-labelledby': heading.id, 'data-session': client.sessionId },
    el('header', { class: 'chat-header' }, el('div', {}, heading, presence), endButton), confirmEnd, retention, connection, log, typing, errorLine, composer);

  const ownItems = new Map(); // seq or clientId → li of my own message

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
    if (message.senderId === client.me?.id) ownItems.set(message.seq, item);
    updateMarks();
    maybeMarkRead();
    log.scrollTop = log.scrollHeight;
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
    log.scrollTop = log.scrollHeight;
  }

  function renderState() {
    connection.textContent = connectionText[client.state] ?? '';
    connection.dataset.state = client.state;
    const closed = ['ended', 'expired', 'refused', 'closed'].includes(client.state);
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
    if (!other) { presence.textContent = ''; return; }
    // While our own connection is down we cannot know theirs.
    presence.textContent = client.state !== 'open' ? '' : client.otherOnline ? 'Online' : 'Not connected';
    presence.dataset.online = String(client.state === 'open' && client.otherOnline);
    if (!client.otherOnline) typing.textContent = '';
    updateMarks();
  }

  function maybeMarkRead() {
    if (document.visibilityState === 'visible' && isActive()) client.markRead();
  }

  let typingTimer;
  input.addEventListener('input', () => {
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
    clearTimeout(typingTimer);
    client.setTyping(false);
    client.send(content);
    input.value = '';
    counter.textContent = '';
    input.focus();
  });
  endButton.addEventListener('click', () => { confirmEnd.hidden = false; confirmEnd.querySelector('[data-action="confirm-end"]').focus(); });
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
  client.addEventListener('pending', event => renderPending(event.detail));
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
    errorLine.textContent = frame.code === 'rate_limited' ? 'You are sending very fast; wait a moment.' : frame.message;
  });

  renderState();
  return { root, focus: () => input.focus(), markRead: maybeMarkRead };
}
