/**
 * Finds the Media records of a Project VIC (VICS data model) JSON file as it streams past, so a
 * list of millions of records is never one string. Two shapes exist: a hash set, whose top-level
 * `value` array holds the Media records themselves, and a case export, whose `value` array holds
 * cases each with a `Media` array. Each record's own text is handed on (with the line it starts
 * on) to be parsed with JSON.parse; everything else is only scanned for brackets and strings.
 */
import { UserInputError } from '../errors/user-input-error.ts';

interface Frame {
  isObject: boolean;
  /** The key this container is the value of in its parent object (null in an array). */
  key: string | null;
  expectKey: boolean;
  lastKey: string | null;
}

const QUOTE = 34,
  BACKSLASH = 92,
  COLON = 58,
  COMMA = 44,
  NEWLINE = 10;
const OPEN_OBJECT = 123,
  CLOSE_OBJECT = 125,
  OPEN_ARRAY = 91,
  CLOSE_ARRAY = 93;

export class VicsMediaScanner {
  private line = 1;
  private readonly stack: Frame[] = [];
  private inString = false;
  private escaped = false;
  private key: string | null = null;
  private sawValueArray = false;
  private capture: { depth: number; parts: string[]; from: number; line: number } | null = null;

  private readonly where: string;
  private readonly onMedia: (json: string, line: number) => void;
  constructor(where: string, onMedia: (json: string, line: number) => void) {
    this.where = where;
    this.onMedia = onMedia;
  }

  write(text: string): void {
    const { stack } = this;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.key !== null) stack[stack.length - 1].lastKey = this.key;
          continue;
        }
        if (this.key !== null) this.key += text[i];
        continue;
      }
      const top = stack[stack.length - 1];
      if (c === QUOTE) {
        this.inString = true;
        this.key = top?.isObject && top.expectKey ? '' : null;
      } else if (c === COLON) {
        if (top?.isObject) top.expectKey = false;
      } else if (c === COMMA) {
        if (top?.isObject) top.expectKey = true;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        this.open(c === OPEN_OBJECT, top, i);
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (stack.length === 0) this.refuse(`a '${text[i]}' that closes nothing`);
        stack.pop();
        const capture = this.capture;
        if (capture && stack.length + 1 === capture.depth) {
          capture.parts.push(text.slice(capture.from, i + 1));
          this.capture = null;
          this.onMedia(capture.parts.join(''), capture.line);
        }
      }
    }
    if (this.capture) {
      this.capture.parts.push(text.slice(this.capture.from));
      this.capture.from = 0;
    }
  }

  end(): void {
    if (this.inString || this.stack.length > 0) this.refuse('the JSON ends before it is complete');
    if (!this.sawValueArray) throw new UserInputError(`${this.where}: not a Project VIC list (no top-level "value" array)`);
  }

  private open(isObject: boolean, parent: Frame | undefined, at: number): void {
    const { stack } = this;
    if (!parent && !isObject) throw new UserInputError(`${this.where}: not a Project VIC list (the JSON is not an object)`);
    const key = parent?.isObject ? parent.lastKey : null;
    stack.push({ isObject, key, expectKey: isObject, lastKey: null });
    const depth = stack.length;
    if (!isObject) {
      if (depth === 2 && key === 'value') this.sawValueArray = true;
      // A value element holding a Media array is a case, not a record: drop its capture.
      if (depth === 4 && key === 'Media' && this.capture?.depth === 3) this.capture = null;
      return;
    }
    const valueElement = depth === 3 && stack[1].key === 'value' && !stack[1].isObject;
    const caseMedia = depth === 5 && stack[1].key === 'value' && stack[3].key === 'Media' && !stack[3].isObject;
    if (valueElement || caseMedia) this.capture = { depth, parts: [], from: at, line: this.line };
  }

  private refuse(reason: string): never {
    throw new UserInputError(`${this.where} line ${this.line}: ${reason}`);
  }
}
