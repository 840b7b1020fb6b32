// Builds elements from data with textContent only, so no server or user text is ever parsed as HTML.
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  element.append(...children.flat().filter(c => c !== null && c !== undefined && c !== false).map(c => (c instanceof Node ? c : String(c))));
  return element;
}

/** Shows a message in a live region; screen readers announce it. */
export function announce(region, text) {
  region.textContent = '';
  // A fresh node after a tick makes screen readers repeat an identical message.
  setTimeout(() => { region.textContent = text; }, 50);
}

export function timeLeft(until) {
  const seconds = Math.max(0, Math.round((Date.parse(until) - Date.now()) / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** A wait said calmly, never as ticking seconds: "about 2 minutes", "about a minute", "a minute". */
export function roughly(seconds) {
  if (seconds >= 90) return `about ${Math.round(seconds / 60)} minutes`;
  return seconds >= 45 ? 'about a minute' : 'a minute';
}
