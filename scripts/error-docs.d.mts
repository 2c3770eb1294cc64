/** One message of the sources, as docs/errors.md lists it. */
export interface MessageEntry {
  id: string;
  /** The static text, each value as `${}` (what the id is derived from). */
  text: string;
  /** The sentence as written, each value as `${expression}`. */
  template: string;
  thrownAs: string[];
  codes: string[];
  files: string[];
}
export declare function collectMessages(): { entries: MessageEntry[]; problems: string[] };
export declare function renderDoc(entries: MessageEntry[]): string;
