// Where someone in danger is pointed: the deployment's emergency number as a link a phone can dial, and a list of
// helplines. The strip under the top bar is on every screen; an ended chat repeats it beside its next step.
import { el } from './dom.js';

let help = { emergencyNumber: null, helplinesUrl: 'https://findahelpline.com/' };

function callLink(text, withoutNumber) {
  return help.emergencyNumber
    ? el('a', { class: 'help-call', href: `tel:${help.emergencyNumber.replaceAll(' ', '')}` }, text)
    : el('span', { class: 'help-call' }, withoutNumber);
}

function helplinesLink(text) {
  return el('a', { class: 'help-list', href: help.helplinesUrl, target: '_blank', rel: 'noopener noreferrer' }, text);
}

/** Fills the strip (index.html) with the deployment's settings. */
export function applyHelp(config) {
  if (config) help = config;
  document.getElementById('help-line')?.replaceChildren(
    el('span', {}, 'In danger right now?'), ' ', callLink(`Call ${help.emergencyNumber}`, 'Call your local emergency number.'), ' ', helplinesLink('Other helplines'));
}

/** The same help as one sentence, for a screen where a conversation just ended. */
export function helpSentence() {
  return el('p', { class: 'help-again' },
    'If you are in danger right now, ', callLink(`call ${help.emergencyNumber}`, 'call your local emergency number'), '. ',
    'To talk to a helpline near you, ', helplinesLink('find a helpline'), '.');
}
