// The height the page really has. With the software keyboard open, iOS shrinks only the visual viewport, so the chat
// layouts (body[data-layout]) take their height from it and the composer stays above the keyboard. Android resizes
// the page itself (interactive-widget=resizes-content in index.html); this then agrees with it.
const viewport = window.visualViewport;

function fit() {
  // Pinch zoom divides the visual viewport by its scale; that is not space taken away from the page.
  const height = Math.round(viewport.height * viewport.scale);
  document.documentElement.style.setProperty('--app-height', `${height}px`);
  // Keyboard open (or a small phone turned sideways): the chat drops what can wait, never the way out.
  document.documentElement.toggleAttribute('data-short-screen', height < 560);
  // A chat layout is exactly as tall as what is visible: nothing to scroll, so undo any scroll the keyboard caused.
  if (document.body.dataset.layout && window.scrollY !== 0) window.scrollTo(0, 0);
}

if (viewport) {
  viewport.addEventListener('resize', fit);
  fit();
}
