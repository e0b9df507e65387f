/**
 * Docker's variable substitution for Dockerfile words: `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
 * `${VAR:?msg}`, single quotes (literal), double quotes (expand, `\"` `\$`
 * `\\` escapes) and the escape character outside quotes. Quotes are removed,
 * as Docker's shell lexer does. dockerfile-ast finds variables but expands
 * only with the Dockerfile's own defaults, so this applies build args too.
 */

/** Bad substitution syntax or a `${VAR:?msg}` that fired; `offset` is in the word. */
export class ExpandError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'ExpandError';
  }
}

/** Variables visible to an instruction: name → value (set, maybe empty). */
export type VarScope = ReadonlyMap<string, string>;

/** Expands one word (no splitting): `ENV`, `LABEL`, `WORKDIR`, `USER`, … */
export function expandWord(word: string, vars: VarScope, escape = '\\'): string {
  return new WordLexer(word, vars, escape, false).words().join('');
}

/** Expands and splits on unquoted whitespace, also inside unquoted values. */
export function expandWords(text: string, vars: VarScope, escape = '\\'): string[] {
  return new WordLexer(text, vars, escape, true).words();
}

const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL = new Set(['*', '#', '@', '?', '!', '$', '-']);

class WordLexer {
  private i = 0;
  private out: string[] = [];
  private cur = '';
  private inWord = false;

  constructor(
    private readonly s: string,
    private readonly vars: VarScope,
    private readonly esc: string,
    private readonly split: boolean,
  ) {}

  words(): string[] {
    this.cur = this.until(null, this.split);
    if (this.inWord) this.out.push(this.cur);
    return this.split ? this.out : [this.out.join('')];
  }

  /** Processes up to an unquoted `stop` (or the end); splits words when asked. */
  private until(stop: string | null, split: boolean): string {
    let text = '';
    const add = (t: string, quoted: boolean) => {
      for (const ch of t) {
        if (split && !quoted && /\s/.test(ch)) {
          if (this.inWord) this.out.push(text);
          text = '';
          this.inWord = false;
        } else {
          text += ch;
          this.inWord = true;
        }
      }
      if (quoted) this.inWord = true;
    };
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (stop !== null && ch === stop) return text;
      if (ch === "'") add(this.singleQuoted(), true);
      else if (ch === '"') add(this.doubleQuoted(), true);
      else if (ch === '$') add(this.dollar(), false);
      else if (ch === this.esc) {
        this.i++;
        if (this.i < this.s.length) add(this.s[this.i++]!, true);
      } else {
        add(ch, false);
        this.i++;
      }
    }
    if (stop !== null) throw new ExpandError(`missing '${stop}' in \${…}`, this.i);
    return text;
  }

  private singleQuoted(): string {
    const start = this.i++;
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new ExpandError('unexpected end of word while looking for a matching single quote', start);
    const text = this.s.slice(this.i, end);
    this.i = end + 1;
    return text;
  }

  private doubleQuoted(): string {
    const start = this.i++;
    let text = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (ch === '"') {
        this.i++;
        return text;
      }
      if (ch === '$') {
        text += this.dollar();
        continue;
      }
      this.i++;
      if (ch === this.esc && this.i < this.s.length) {
        const next = this.s[this.i]!;
        if (next === '"' || next === '$' || next === this.esc) {
          text += next;
          this.i++;
          continue;
        }
      }
      text += ch;
    }
    throw new ExpandError('unexpected end of word while looking for a matching double quote', start);
  }

  private lookup(name: string): string | undefined {
    return this.vars.get(name);
  }

  private dollar(): string {
    const start = this.i++;
    if (this.s[this.i] !== '{') {
      const name = this.name();
      return name === '' ? '$' : (this.lookup(name) ?? '');
    }
    this.i++;
    const name = this.name();
    if (name === '') throw new ExpandError('bad substitution: a variable name must follow ${', start);
    const ch = this.s[this.i];
    if (ch === '}') {
      this.i++;
      return this.lookup(name) ?? '';
    }
    const colon = ch === ':';
    if (colon) this.i++;
    const op = this.s[this.i];
    if (op !== '-' && op !== '+' && op !== '?') {
      throw new ExpandError(`unsupported modifier '${colon ? ':' : ''}${op ?? ''}' in \${${name}…}: use :- :+ or :?`, this.i);
    }
    this.i++;
    const inWord = this.inWord;
    const word = this.until('}', false);
    this.inWord = inWord;
    this.i++;
    const value = this.lookup(name);
    const missing = value === undefined || (colon && value === '');
    if (op === '-') return missing ? word : value!;
    if (op === '+') return missing ? '' : word;
    if (missing) throw new ExpandError(word || `${name}: is not set${colon ? ' or empty' : ''}`, start);
    return value!;
  }

  private name(): string {
    const first = this.s[this.i];
    if (first === undefined) return '';
    if (/[0-9]/.test(first)) {
      let digits = '';
      while (this.i < this.s.length && /[0-9]/.test(this.s[this.i]!)) digits += this.s[this.i++];
      return digits;
    }
    if (SPECIAL.has(first)) {
      this.i++;
      return first;
    }
    let name = '';
    while (this.i < this.s.length && NAME_CHAR.test(this.s[this.i]!)) name += this.s[this.i++];
    return name;
  }
}
