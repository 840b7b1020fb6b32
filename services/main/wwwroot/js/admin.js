// The admin's screen: invite counsellors and volunteers (the invite code is shown once) and see the staff list.
import * as api from './api.js';
import { el } from './dom.js';

export function adminApp({ show }) {
  const result = el('p', { class: 'note', role: 'status', 'aria-live': 'polite' });
  const staff = el('ul', { class: 'staff-list' });
  const form = el('form', { class: 'invite', 'aria-label': 'Invite a counsellor or volunteer' },
    el('div', { class: 'field' }, el('label', { for: 'invite-email' }, 'Email'), el('input', { id: 'invite-email', name: 'email', type: 'email', required: true })),
    el('div', { class: 'field' }, el('label', { for: 'invite-name' }, 'Display name'), el('input', { id: 'invite-name', name: 'displayName', required: true, maxlength: '60' })),
    el('div', { class: 'field' }, el('label', { for: 'invite-role' }, 'Role'),
      el('select', { id: 'invite-role', name: 'role' }, el('option', { value: 'counselor' }, 'Counsellor'), el('option', { value: 'volunteer' }, 'Volunteer'), el('option', { value: 'admin' }, 'Admin'))),
    el('div', { class: 'field' }, el('label', { for: 'invite-max' }, 'Chats at once'), el('input', { id: 'invite-max', name: 'maxActiveChats', type: 'number', min: '0', max: '50', value: '3' })),
    el('button', { type: 'submit' }, 'Create invite'));

  async function load() {
    try {
      const list = await api.call('GET', '/api/admin/accounts');
      staff.replaceChildren(...list.map(s => el('li', {}, `${s.account.displayName} — ${s.account.role}, ${s.account.state}${s.profile ? `, ${s.profile.status}` : ''}`)));
    } catch (e) { result.textContent = e.message; }
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    try {
      const invited = await api.call('POST', '/api/admin/accounts', { email: v.email, displayName: v.displayName, role: v.role, maxActiveChats: Number(v.maxActiveChats) });
      result.replaceChildren('Invite code for ', el('strong', {}, invited.account.displayName), ' (shown once; hand it over in person): ', el('code', { 'data-testid': 'invite-code' }, invited.inviteCode));
      form.reset();
      await load();
    } catch (e) { result.textContent = e.message; }
  });

  show(el('div', { class: 'admin' }, el('h1', {}, 'Staff'), form, result, el('h2', {}, 'Everyone'), staff));
  load();
  return { dispose() {} };
}
