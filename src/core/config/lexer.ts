/**
 * Splits SRS config text into words and the three punctuation marks `;`, `{`, `}`.
 * As in SRS, `#` starts a comment only where a word could start (so `streamid=#!::r=a/b`
 * keeps its `#`), and a quote opens a string only at the start of a word. A bare word may
 * hold `${VAR}`: those braces belong to the variable.
 */
import { configError } from './directive.js';

export type QuoteStyle = '' | '"' | "'";

export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quote: QuoteStyle; readonly line: number }
  | { readonly kind: ';' | '{' | '}' | 'eof'; readonly line: number };

/** `${NAME}` inside a bare word: its braces are part of the word, not a block. */
const BRACED_VARIABLE = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/y;

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\f' || ch === '\v';
const isPunct = (ch: string) => ch === ';' || ch === '{' || ch === '}';

export function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
    } else if (isSpace(ch)) {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (isPunct(ch)) {
      tokens.push({ kind: ch as ';' | '{' | '}', line });
      i++;
    } else if (ch === '"' || ch === "'") {
      const startLine = line;
      const end = text.indexOf(ch, i + 1);
      if (end < 0) throw configError(file, startLine, `unterminated quoted string (missing ${ch})`);
      const value = text.slice(i + 1, end);
      for (const c of value) if (c === '\n') line++;
      i = end + 1;
      const next = text[i];
      if (next !== undefined && !isSpace(next) && !isPunct(next)) {
        throw configError(file, line, `unexpected "${next}" after quoted string (need a space, ";" or "{")`);
      }
      tokens.push({ kind: 'word', text: value, quote: ch, line: startLine });
    } else {
      const start = i;
      while (i < text.length && !isSpace(text[i]!) && !isPunct(text[i]!)) {
        BRACED_VARIABLE.lastIndex = i;
        i = text[i] === '$' && BRACED_VARIABLE.test(text) ? BRACED_VARIABLE.lastIndex : i + 1;
      }
      tokens.push({ kind: 'word', text: text.slice(start, i), quote: '', line });
    }
  }
  tokens.push({ kind: 'eof', line });
  return tokens;
}
