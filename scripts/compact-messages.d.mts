import type { SourceMap } from 'magic-string';
import type { Plugin } from 'vite';

/** An ESTree node as the parser gives it: a type, UTF-16 offsets, its fields. */
export interface EsNode {
  type: string;
  start: number;
  end: number;
  [field: string]: unknown;
}

export declare const MESSAGE_PREFIX: string;
export declare const VALUE_SEPARATOR: string;
export declare function messageText(template: { quasis: Array<{ value: { cooked: string | null; raw: string } }> }): string;
export declare function messageId(text: string): string;
export declare function walk(node: object, visit: (node: EsNode, parent: EsNode | null) => void, parent?: object | null): void;
export declare function findMessages(program: object): { messages: EsNode[]; strays: EsNode[] };
export declare function compactSource(code: string, program: object, fileName?: string): { code: string; map: SourceMap; messages: Array<{ id: string; text: string }> } | null;
export declare function compactMessages(): Plugin;
