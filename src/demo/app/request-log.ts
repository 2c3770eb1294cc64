import type { SeenToken } from '../server/demo-api.js';
import type { CallOutcome } from './demo-page-api.js';
import { tokenChip } from './token-chip.js';

const MAX_ROWS = 12;

function cell(content: string | Node, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  if (className !== undefined) td.className = className;
  td.append(content);
  return td;
}

function time(): string {
  const now = new Date();
  return `${now.toLocaleTimeString('en-GB', { hour12: false })}.${String(now.getMilliseconds()).padStart(3, '0')}`;
}

function statusText(outcomes: CallOutcome[]): { text: string; ok: boolean } {
  const counts = new Map<number, number>();
  for (const outcome of outcomes) counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => (outcomes.length === 1 ? String(status || 'failed') : `${n}×${status || 'failed'}`));
  return { text: parts.join(' '), ok: counts.size === 1 && counts.has(200) };
}

/** The live table of requests made by the tabs of the demo, newest first, with what the server saw of each. */
export class RequestLog {
  readonly #body: HTMLTableSectionElement;

  constructor(body: HTMLTableSectionElement) {
    this.#body = body;
    const placeholder = this.#body.insertRow();
    placeholder.className = 'placeholder';
    const td = placeholder.insertCell();
    td.colSpan = 5;
    td.textContent = 'No requests yet. Every fetch() of every tab shows here, with what the server verified.';
  }

  /** Adds one row for one call of tab `tab`, or for a burst of parallel calls to the same path. */
  add(tab: string, outcomes: CallOutcome[]): void {
    const first = outcomes[0];
    if (first === undefined) return;
    const row = document.createElement('tr');
    const host = first.target === 'api' ? 'api' : 'third party';
    const label = `${outcomes.length > 1 ? `${outcomes.length} × ` : ''}GET ${host} ${first.path}`;
    const status = statusText(outcomes);
    const tokens = new Map<string, SeenToken | null>();
    for (const outcome of outcomes) tokens.set(outcome.token === null ? 'none' : outcome.token.verified ? outcome.token.jti : 'bad', outcome.token);
    const chips = document.createElement('span');
    chips.className = 'chips';
    chips.append(...[...tokens.values()].map(tokenChip));
    row.append(
      cell(time(), 'mono muted'),
      cell(tab, 'tab-cell'),
      cell(label, 'mono'),
      cell(status.text, status.ok ? 'status ok' : 'status bad'),
      cell(chips),
    );
    this.#body.querySelector('tr.placeholder')?.remove();
    this.#body.prepend(row);
    while (this.#body.rows.length > MAX_ROWS) this.#body.deleteRow(-1);
  }
}
