// The counsellor's private AI summary of one chat: ask for it, follow its progress, read it with its citations linked
// to the messages, see the student's earlier summaries as a timeline, and mark reviewed, edit or delete it.
// Self-contained: counselor.js only appends its root under the chat view.
import * as api from './api.js';
import { el } from './dom.js';

const statusText = { queued: 'Queued…', running: 'Writing the summary…', completed: 'Summary ready.', failed: 'The summary could not be made' };

export function summaryPanel(sessionId, chatRoot) {
  const base = `/api/dashboard/sessions/${encodeURIComponent(sessionId)}/summary`;
  const button = el('button', { type: 'button', class: 'secondary', 'data-action': 'summarise' }, 'Summarise');
  const progress = el('p', { class: 'note', role: 'status', 'aria-live': 'polite', 'data-testid': 'summary-status' });
  const current = el('div', { 'data-testid': 'summary' });
  const history = el('ol', { class: 'summary-history', 'aria-label': "The student's earlier summaries", 'data-testid': 'summary-history' });
  const root = el('details', { class: 'summary-box' },
    el('summary', {}, 'Private summary'),
    el('p', { class: 'note' }, 'Only you see this. The student is told that you saved a private summary of this chat.'),
    button, progress, current,
    el('h3', {}, 'Earlier summaries of this student'), history);
  let timer = null;
  let disposed = false;

  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api.call('POST', base);
      progress.textContent = statusText.queued;
      poll();
    } catch (e) { progress.textContent = e.message; button.disabled = false; }
  });

  function poll() {
    clearTimeout(timer);
    if (!disposed) timer = setTimeout(refresh, 2000);
  }

  async function refresh() {
    try {
      const job = await api.call('GET', base);
      progress.textContent = job.status === 'failed' ? `${statusText.failed} (${job.reason}).` : statusText[job.status] ?? job.status;
      if (job.status === 'completed' && job.summary) show(job.summary);
      button.disabled = job.status === 'queued' || job.status === 'running';
      if (button.disabled) poll(); else loadHistory();
    } catch (e) {
      // Right after the request summarize may not have the job yet.
      if (e.status === 404 && button.disabled) poll();
      else if (e.status !== 404) progress.textContent = e.message;
    }
  }

  function cite(seq) {
    return el('a', { href: '#', class: 'citation', onclick: event => {
      event.preventDefault();
      const message = chatRoot?.querySelector(`li[data-seq="${seq}"]`);
      if (message) { message.scrollIntoView({ block: 'center' }); message.classList.add('cited'); setTimeout(() => message.classList.remove('cited'), 2000); }
    } }, `#${seq}`);
  }

  function contentView(s) {
    const c = s.content;
    return [
      el('p', { class: 'label' }, s.label),
      el('h4', {}, 'Presenting concerns'), el('ul', {}, ...c.presentingConcerns.map(x => el('li', {}, x))),
      el('h4', {}, 'Risk indicators'),
      c.riskIndicators.length ? el('ul', {}, ...c.riskIndicators.map(r => el('li', {}, r.indicator, ' ', ...r.citations.map(cite)))) : el('p', {}, 'None noted.'),
      el('h4', {}, 'Since the last summary'), el('p', {}, c.changeSinceLastSummary),
      el('h4', {}, 'Suggested follow-up'), el('ul', {}, ...c.suggestedFollowUp.map(x => el('li', {}, x))),
      el('h4', {}, 'Narrative'), el('p', {}, c.narrative),
      el('p', { class: 'note' }, `${s.provenance.model}, ${s.provenance.redactionCount} identifiers redacted`),
    ];
  }

  function show(s) {
    const review = el('button', { type: 'button', hidden: s.reviewed, onclick: () => change('POST', `${base}/${encodeURIComponent(s.jobId)}/review`) }, 'Mark reviewed');
    const edit = el('button', { type: 'button', class: 'secondary', onclick: () => editor(s) }, 'Edit');
    const remove = el('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!confirm('Delete this summary?')) return;
      try { await api.call('DELETE', `${base}/${encodeURIComponent(s.jobId)}`); current.replaceChildren(); progress.textContent = 'Summary deleted.'; loadHistory(); } catch (e) { progress.textContent = e.message; }
    } }, 'Delete');
    current.replaceChildren(...contentView(s), el('div', { class: 'actions' }, review, edit, remove));
  }

  async function change(method, path, body) {
    try { show(await api.call(method, path, body)); loadHistory(); } catch (e) { progress.textContent = e.message; }
  }

  function editor(s) {
    const lines = list => list.join('\n');
    const split = text => text.split('\n').map(x => x.trim()).filter(Boolean);
    const field = (name, label, value) => el('div', { class: 'field' }, el('label', { for: `${sessionId}-${name}` }, label), el('textarea', { id: `${sessionId}-${name}`, name }, value));
    const form = el('form', { class: 'summary-edit' },
      field('concerns', 'Presenting concerns (one a line)', lines(s.content.presentingConcerns)),
      field('change', 'Since the last summary', s.content.changeSinceLastSummary),
      field('followUp', 'Suggested follow-up (one a line)', lines(s.content.suggestedFollowUp)),
      field('narrative', 'Narrative', s.content.narrative),
      el('button', { type: 'submit' }, 'Save'), el('button', { type: 'button', class: 'secondary', onclick: () => show(s) }, 'Cancel'));
    form.addEventListener('submit', event => {
      event.preventDefault();
      const v = Object.fromEntries(new FormData(form));
      change('PUT', `${base}/${encodeURIComponent(s.jobId)}`, { content: { ...s.content, presentingConcerns: split(v.concerns), changeSinceLastSummary: v.change, suggestedFollowUp: split(v.followUp), narrative: v.narrative } });
    });
    current.replaceChildren(form);
  }

  async function loadHistory() {
    try {
      const { summaries } = await api.call('GET', `${base}/history`);
      history.replaceChildren(...summaries.filter(s => s.sessionId !== sessionId).map(s => el('li', {},
        el('time', { datetime: s.provenance.requestedAt }, new Date(s.provenance.requestedAt).toLocaleDateString()), ' ',
        el('span', { class: 'label' }, s.label), el('p', {}, s.content.narrative))));
      if (!history.children.length) history.append(el('li', { class: 'empty' }, 'No earlier summaries.'));
    } catch (e) { history.replaceChildren(el('li', { class: 'empty' }, e.message)); }
  }

  root.addEventListener('toggle', () => { if (root.open) { refresh(); loadHistory(); } });

  return { root, dispose() { disposed = true; clearTimeout(timer); } };
}
