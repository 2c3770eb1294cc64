import type { SeenToken } from '../server/demo-api.js';

/** A short, stable hue for a token id, so each new token shows in its own colour. */
function hueOf(jti: string): number {
  let hash = 0;
  for (const char of jti) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

/** Renders what a server saw: the token's id (`jti`, shortened) and subject, `no token`, or why it was refused. */
export function tokenChip(token: SeenToken | null): HTMLElement {
  const chip = document.createElement('span');
  chip.className = 'chip';
  if (token === null) {
    chip.classList.add('chip-none');
    chip.textContent = 'no token';
  } else if (!token.verified) {
    chip.classList.add('chip-bad');
    chip.textContent = 'token refused';
    chip.title = token.error;
  } else {
    chip.style.setProperty('--hue', String(hueOf(token.jti)));
    chip.textContent = `jti ${token.jti.slice(0, 8)}… · ${token.sub}`;
    chip.title = `token id ${token.jti}, subject ${token.sub}, expires ${new Date(token.exp * 1000).toLocaleTimeString()}`;
  }
  return chip;
}
