/**
 * Parses the header of a .npy file: a Python dict literal such as
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (8, 8, 3, 64), }`.
 * Only the literal forms numpy writes are accepted (strings, ints, booleans, None, tuples, lists,
 * dicts); nothing is ever evaluated.
 */

export type PythonLiteral = string | number | boolean | null | PythonLiteral[] | { [key: string]: PythonLiteral };

export class NpyHeaderSyntaxError extends Error {
  override name = 'NpyHeaderSyntaxError';
}

export function parsePythonLiteral(text: string): PythonLiteral {
  const parser = new LiteralParser(text);
  const value = parser.parseValue();
  parser.expectEnd();
  return value;
}

class LiteralParser {
  #position = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  parseValue(): PythonLiteral {
    this.#skipSpace();
    const char = this.text[this.#position];
    if (char === '{') return this.#parseDict();
    if (char === '(') return this.#parseSequence(')');
    if (char === '[') return this.#parseSequence(']');
    if (char === "'" || char === '"') return this.#parseString();
    if (char !== undefined && /[-+0-9]/.test(char)) return this.#parseInteger();
    for (const [word, value] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (this.text.startsWith(word, this.#position)) {
        this.#position += word.length;
        return value;
      }
    }
    throw this.#error(char === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(char)}`);
  }

  expectEnd(): void {
    this.#skipSpace();
    if (this.#position !== this.text.length) throw this.#error('unexpected text after the dictionary');
  }

  #parseDict(): { [key: string]: PythonLiteral } {
    this.#position++;
    const dict: { [key: string]: PythonLiteral } = {};
    while (!this.#consumeIf('}')) {
      this.#skipSpace();
      const key = this.#parseString();
      this.#expect(':');
      dict[key] = this.parseValue();
      if (!this.#consumeIf(',')) {
        this.#expect('}');
        break;
      }
    }
    return dict;
  }

  #parseSequence(close: string): PythonLiteral[] {
    this.#position++;
    const items: PythonLiteral[] = [];
    while (!this.#consumeIf(close)) {
      items.push(this.parseValue());
      if (!this.#consumeIf(',')) {
        this.#expect(close);
        break;
      }
    }
    return items;
  }

  #parseString(): string {
    const quote = this.text[this.#position];
    if (quote !== "'" && quote !== '"') throw this.#error('expected a quoted string');
    const end = this.text.indexOf(quote, this.#position + 1);
    if (end < 0) throw this.#error('unterminated string');
    const value = this.text.slice(this.#position + 1, end);
    if (value.includes('\\')) throw this.#error('escape sequences are not supported in header strings');
    this.#position = end + 1;
    return value;
  }

  #parseInteger(): number {
    // Python 2 era numpy wrote shapes as `(3L, 4L)`.
    const match = /^[-+]?\d+L?/.exec(this.text.slice(this.#position));
    if (!match) throw this.#error('expected an integer');
    this.#position += match[0].length;
    const value = Number(match[0].replace(/L$/, ''));
    if (!Number.isSafeInteger(value)) throw this.#error(`integer ${match[0]} is too large`);
    return value;
  }

  #skipSpace(): void {
    while (this.#position < this.text.length && /\s/.test(this.text[this.#position])) this.#position++;
  }

  #consumeIf(token: string): boolean {
    this.#skipSpace();
    if (this.text[this.#position] !== token) return false;
    this.#position++;
    return true;
  }

  #expect(token: string): void {
    if (!this.#consumeIf(token)) throw this.#error(`expected ${JSON.stringify(token)}`);
  }

  #error(what: string): NpyHeaderSyntaxError {
    return new NpyHeaderSyntaxError(`${what} at character ${this.#position} of header ${JSON.stringify(this.text.trim())}`);
  }
}
