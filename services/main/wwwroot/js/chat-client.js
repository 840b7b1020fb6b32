// A client of chat's WebSocket protocol v1 (services/chat/README.md). It keeps the conversation in memory only,
// reconnects by itself with a fresh ticket, resumes after the last sequence it holds and re-sends unacknowledged
// messages with the same client id, so nothing is lost or doubled across a dropped connection.
const reconnectDelaysMs = [300, 1000, 2000, 4000, 8000, 15000];
const pingEveryMs = 25_000;
const typingRepeatMs = 3_000;

export class ChatClient extends EventTarget {
  /** @param {() => Promise<{ticket: string, chatUrl: string}>} fetchTicket asks main for a ticket; throws when the session is closed. */
  constructor(sessionId, fetchTicket) {
    super();
    this.sessionId = sessionId;
    this.fetchTicket = fetchTicket;
    this.state = 'idle'; // connecting | open | reconnecting | ended | expired | refused | closed
    this.closing = null; // how it ended: { state, endedBy?, reason? }
    this.messages = new Map(); // seq → message frame
    this.lastSeq = 0;
    this.pending = new Map(); // clientId → { clientId, content, failed }
    this.me = null;
    this.participants = [];
    this.online = {};
    this.readUpTo = {};
    this.deliveredUpTo = 0; // my messages up to here have reached the other side's open connection
    this.typing = false;
    this.maxMessageLength = 4000;
    this.retentionSeconds = 86400;
    this.socket = null;
    this.attempt = 0;
    this.timers = {};
    this.sentTypingAt = 0;
    this.readSent = 0;
    this.lastFromOther = 0; // the highest sequence number the other side has sent
  }

  get other() { return this.participants.find(p => p.id !== this.me?.id) ?? null; }

  get otherOnline() { return this.other ? this.online[this.other.id] === true : false; }

  /** Messages from the other side that I have not marked read. */
  get unread() {
    const mine = this.me ? this.readUpTo[this.me.id] ?? 0 : 0;
    let count = 0;
    for (const m of this.messages.values()) if (m.seq > mine && m.senderId !== this.me?.id) count++;
    return count;
  }

  connect() {
    if (this.socket || ['ended', 'expired', 'refused', 'closed'].includes(this.state)) return;
    this.setState(this.attempt === 0 && this.lastSeq === 0 ? 'connecting' : 'reconnecting');
    this.open().catch(error => this.onTicketError(error));
  }

  async open() {
    const { ticket, chatUrl } = await this.fetchTicket();
    if (['ended', 'expired', 'refused', 'closed'].includes(this.state)) return;
    // The ticket rides in the subprotocol list: browsers cannot set headers, and a URL would leak it into logs.
    const socket = new WebSocket(chatUrl, ['daprchat.v1', `daprchat.ticket.${ticket}`]);
    this.socket = socket;
    socket.onmessage = event => this.onFrame(event.data);
    socket.onclose = event => this.onClose(socket, event);
  }

  onTicketError(error) {
    this.socket = null;
    if (error.status === 404 || error.status === 409 || error.status === 410) this.setState('ended', { reason: error.code });
    else if (error.status === 401 || error.status === 403) this.setState('refused', { reason: error.code });
    else this.scheduleReconnect();
  }

  onClose(socket, event) {
    if (this.socket !== socket) return;
    this.socket = null;
    clearInterval(this.timers.ping);
    if (event.code === 4410) this.setState('expired');
    else if (event.code === 4403) this.setState('refused', { reason: 'not_admitted' });
    else if (['ended', 'expired', 'closed'].includes(this.state)) return;
    else this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (['ended', 'expired', 'refused', 'closed'].includes(this.state)) return;
    this.setState('reconnecting');
    const delay = reconnectDelaysMs[Math.min(this.attempt, reconnectDelaysMs.length - 1)];
    this.attempt++;
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => this.connect(), delay * (0.8 + Math.random() * 0.4));
  }

  onFrame(data) {
    let frame;
    try { frame = JSON.parse(data); } catch { return; }
    switch (frame.type) {
      case 'welcome': return this.onWelcome(frame);
      case 'message': return this.onMessage(frame);
      case 'ack': return this.onAck(frame);
      case 'resumed': return this.emit('resumed', frame);
      case 'typing':
        if (frame.participantId !== this.me?.id) { this.typing = frame.isTyping; this.emit('typing', frame); }
        return;
      case 'read':
        this.readUpTo[frame.participantId] = Math.max(this.readUpTo[frame.participantId] ?? 0, frame.upToSeq);
        return this.emit('receipts', frame);
      case 'presence':
        this.online[frame.participantId] = frame.online;
        if (!frame.online && frame.participantId === this.other?.id) this.typing = false;
        this.noteDelivery();
        return this.emit('presence', frame);
      case 'session_ended': return this.finish('ended', frame);
      case 'session_expired': return this.finish('expired', frame);
      case 'error': return this.onError(frame);
      default: return undefined;
    }
  }

  onWelcome(frame) {
    this.me = frame.you;
    this.participants = frame.participants;
    this.online = frame.online ?? {};
    for (const [id, upTo] of Object.entries(frame.readUpTo ?? {})) this.readUpTo[id] = Math.max(this.readUpTo[id] ?? 0, upTo);
    this.maxMessageLength = frame.maxMessageLength ?? this.maxMessageLength;
    this.retentionSeconds = frame.retentionSeconds ?? this.retentionSeconds;
    this.attempt = 0;
    this.setState('open');
    // Live delivery starts after the welcome's lastSeq; everything after what we hold comes from a resume.
    if (frame.lastSeq > this.lastSeq) this.sendFrame({ type: 'resume', afterSeq: this.lastSeq });
    this.resendPending();
    this.noteDelivery();
    clearInterval(this.timers.ping);
    this.timers.ping = setInterval(() => this.sendFrame({ type: 'ping' }), pingEveryMs);
    this.emit('welcome', frame);
  }

  onMessage(frame) {
    if (this.messages.has(frame.seq)) return;
    this.messages.set(frame.seq, frame);
    this.lastSeq = Math.max(this.lastSeq, frame.seq);
    if (frame.senderId !== this.me?.id) this.lastFromOther = Math.max(this.lastFromOther, frame.seq);
    if (this.pending.delete(frame.clientId) && frame.senderId === this.me?.id) this.emit('pending', null);
    if (frame.senderId !== this.me?.id) this.typing = false;
    this.noteDelivery();
    this.emit('message', frame);
  }

  onAck(frame) {
    this.pending.delete(frame.clientId);
    this.noteDelivery();
    this.emit('pending', frame);
  }

  onError(frame) {
    const failed = frame.clientId && this.pending.get(frame.clientId);
    // A send the server refused for its content will never succeed; a retryable one goes again on the next connection.
    if (failed && !frame.retryable) { failed.failed = frame.message; this.pending.delete(frame.clientId); }
    // A frame dropped for speed names no message: once the bucket has refilled, send again what is still unacknowledged
    // (the same client ids, so whatever did get through is stored once).
    if (frame.code === 'rate_limited') {
      clearTimeout(this.timers.resend);
      this.timers.resend = setTimeout(() => this.resendPending(), 2000);
    }
    this.emit('error', { ...frame, failedContent: failed ? failed.content : undefined });
  }

  resendPending() {
    for (const p of this.pending.values()) this.sendFrame({ type: 'send', clientId: p.clientId, content: p.content });
  }

  /** The other side has an open connection: what the room holds has been pushed to it. */
  noteDelivery() {
    if (this.otherOnline) this.deliveredUpTo = Math.max(this.deliveredUpTo, this.lastSeq);
  }

  finish(state, frame) {
    clearInterval(this.timers.ping);
    this.setState(state, frame);
  }

  send(content) {
    const clientId = crypto.randomUUID();
    this.pending.set(clientId, { clientId, content });
    this.sendFrame({ type: 'send', clientId, content });
    this.sentTypingAt = 0;
    this.emit('pending', null);
    return clientId;
  }

  setTyping(isTyping) {
    const now = Date.now();
    if (isTyping && now - this.sentTypingAt < typingRepeatMs) return;
    if (!isTyping && this.sentTypingAt === 0) return;
    this.sentTypingAt = isTyping ? now : 0;
    this.sendFrame({ type: 'typing', isTyping });
  }

  /** Marks everything from the other side as read, once per new sequence number. */
  markRead() {
    const upTo = this.lastFromOther;
    const mine = this.me ? this.readUpTo[this.me.id] ?? 0 : 0;
    if (upTo <= mine || upTo <= this.readSent || this.state !== 'open') return;
    this.readSent = upTo;
    this.readUpTo[this.me.id] = upTo;
    this.sendFrame({ type: 'read', upToSeq: upTo });
    this.emit('receipts', { participantId: this.me.id, upToSeq: upTo });
  }

  end() { this.sendFrame({ type: 'end' }); }

  /** Stops for good: no reconnects, and drops the conversation from memory. */
  close() {
    clearTimeout(this.timers.reconnect);
    clearTimeout(this.timers.resend);
    clearInterval(this.timers.ping);
    this.socket?.close(1000);
    this.socket = null;
    this.messages.clear();
    this.pending.clear();
    if (this.state !== 'closed') this.setState('closed');
  }

  sendFrame(frame) {
    if (this.socket?.readyState === WebSocket.OPEN && this.state === 'open') this.socket.send(JSON.stringify({ v: 1, ...frame }));
  }

  setState(state, detail = null) {
    this.state = state;
    if (['ended', 'expired', 'refused'].includes(state)) this.closing = { state, ...detail };
    this.emit('state', { state, ...detail });
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
}
