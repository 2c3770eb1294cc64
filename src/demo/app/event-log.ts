import type { DemoEvent } from './demo-page-api.js';

const MAX_ITEMS = 12;

/** The list of session events this tab received, newest first. */
export class EventLog {
  readonly #list: HTMLOListElement;
  readonly events: DemoEvent[] = [];

  constructor(list: HTMLOListElement) {
    this.#list = list;
  }

  /** Records an event and shows it; `note` is an extra line for things that are not session events. */
  add(event: DemoEvent): void {
    this.events.push(event);
    this.note(
      event.type === 'session-invalid' ? `session-invalid · ${event.reason ?? ''}` : `statechange → ${event.state}`,
      event.type === 'session-invalid' ? 'bad' : event.state === 'authenticated' ? 'ok' : 'neutral',
    );
  }

  /** Shows a line that is not a session event (registration, login). */
  note(text: string, tone: 'ok' | 'bad' | 'neutral' = 'neutral'): void {
    const item = document.createElement('li');
    item.className = `event ${tone}`;
    const at = document.createElement('span');
    at.className = 'mono muted';
    at.textContent = new Date().toLocaleTimeString('en-GB', { hour12: false });
    const label = document.createElement('span');
    label.textContent = text;
    item.append(at, label);
    this.#list.prepend(item);
    while (this.#list.children.length > MAX_ITEMS) this.#list.lastElementChild?.remove();
  }
}
