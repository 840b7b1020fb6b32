// The page shell: sign-in, the view for the signed-in role, sign-out, the quick exit and the help line.
import * as api from './api.js';
import { el } from './dom.js';
import { applyHelp } from './help.js';
import './viewport.js';
import { studentApp } from './student.js';
import { counselorApp } from './counselor.js';
import { adminApp } from './admin.js';

const neutralSite = 'https://www.bbc.com/weather';
const main = document.getElementById('main');
const account = document.getElementById('account');
const config = api.clientConfig();
let current = null; // the signed-in view: { dispose() }

config.then(c => applyHelp(c?.help));

/** Puts a screen in place; a chat screen then asks for its full-height layout with layout(). */
function show(...children) {
  document.body.dataset.layout = '';
  main.replaceChildren(...children);
  const heading = main.querySelector('h1');
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

function layout(name) { document.body.dataset.layout = name; }

function field(label, attributes) {
  const id = `f-${attributes.name}-${Math.random().toString(36).slice(2, 7)}`;
  return el('div', { class: 'field' }, el('label', { for: id }, label), el('input', { id, required: true, ...attributes }));
}

function form(title, submitText, fields, onSubmit) {
  const error = el('p', { class: 'error', role: 'alert' });
  const button = el('button', { type: 'submit' }, submitText);
  const f = el('form', { 'aria-label': title }, el('h2', {}, title), ...fields, error, button);
  f.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try { await onSubmit(Object.fromEntries(new FormData(f))); } catch (e) { error.textContent = e.message; } finally { button.disabled = false; }
  });
  return f;
}

/** First-time visitors (most of them) see registration; someone who just signed out sees sign-in. */
function signInView(notice = '', mode = 'new') {
  const register = form('Create your account', 'Create account', [
    field('A name for yourself (only you see it; counsellors see a random alias)', { name: 'displayName', autocomplete: 'nickname', maxlength: '60' }),
    field('Email', { name: 'email', type: 'email', autocomplete: 'email' }),
    field('Password (at least 10 characters)', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '10' }),
  ], async ({ displayName, email, password }) => { await api.register(email, password, displayName); await api.signIn(email, password); await enter(); });

  const signIn = form('Sign in', 'Sign in', [
    field('Email', { name: 'email', type: 'email', autocomplete: 'username' }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'current-password' }),
  ], async ({ email, password }) => { await api.signIn(email, password); await enter(); });

  const invite = form('Counsellors: accept your invite', 'Set password', [
    field('Invite code', { name: 'code', autocomplete: 'off' }),
    field('Email', { name: 'email', type: 'email', autocomplete: 'username' }),
    field('New password (at least 10 characters)', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '10' }),
  ], async ({ code, email, password }) => { await api.acceptInvite(code, password); await api.signIn(email, password); await enter(); });

  const option = (value, text) => [
    el('input', { type: 'radio', name: 'visitor', id: `visitor-${value}`, value, checked: value === mode }),
    el('label', { for: `visitor-${value}` }, text)];
  const choice = el('fieldset', { class: 'choice' },
    el('legend', {}, 'Have you used DaprChat before?'),
    el('div', { class: 'choice-options' }, option('new', "No, I'm new"), option('returning', 'Yes, sign me in')));
  const pick = value => { register.hidden = value !== 'new'; signIn.hidden = value === 'new'; };
  choice.addEventListener('change', event => pick(event.target.value));
  pick(mode);

  show(el('div', { class: 'welcome' },
    el('h1', {}, 'Talk to someone who listens'),
    el('p', { class: 'lede' }, 'DaprChat connects you with a counsellor or a trained volunteer for a private chat. They see a random alias, never your name or email.'),
    notice ? el('p', { class: 'notice', role: 'status' }, notice) : null,
    choice, register, signIn,
    el('details', { class: 'staff' }, el('summary', {}, 'I have a counsellor invite code'), invite)));
}

async function enter({ resumed = false } = {}) {
  current?.dispose();
  account.hidden = false;
  const me = await api.call('GET', '/api/auth/me');
  document.getElementById('signed-in-as').textContent = `Signed in as ${me.displayName}`;
  const ctx = { main, show, layout, config, resumed, announce: text => announce(text), signOut: () => signOut('You have signed out.') };
  current = me.role === 'student' ? studentApp(ctx)
    : me.role === 'admin' ? adminApp(ctx)
    : counselorApp(ctx, me);
}

function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

async function signOut(notice) {
  current?.dispose();
  current = null;
  account.hidden = true;
  await api.signOut();
  signInView(notice, 'returning');
}

/** Leaves at once: drops every chat from memory, every token from this tab, and replaces this page in the history. */
function quickExit() {
  try { current?.dispose(); } catch { /* leaving matters more */ }
  const refreshToken = sessionStorage.getItem('daprchat.refresh');
  if (refreshToken) navigator.sendBeacon('/api/auth/logout', new Blob([JSON.stringify({ refreshToken })], { type: 'application/json' }));
  api.forget();
  sessionStorage.clear();
  document.body.replaceChildren();
  document.title = 'Weather';
  location.replace(neutralSite);
}

let escapes = [];
document.addEventListener('keydown', event => {
  if (event.key !== 'Escape') return;
  const now = Date.now();
  escapes = [...escapes.filter(t => now - t < 2000), now];
  if (escapes.length >= 3) {
    // Handled here: otherwise the browser treats this Escape as "stop loading" and cancels the way out.
    event.preventDefault();
    quickExit();
  }
});
document.getElementById('quick-exit').addEventListener('click', quickExit);
document.getElementById('sign-out').addEventListener('click', () => signOut('You have signed out.'));
window.addEventListener('daprchat:signed-out', () => { if (current) signOut('Your sign-in has expired. Please sign in again.'); });

if (await api.resume()) enter({ resumed: true }).catch(() => signInView());
else signInView();
