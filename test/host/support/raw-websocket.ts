/**
 * WebSocket bytes written by hand (RFC 6455), so that a test can send what no WebSocket library
 * would: unmasked frames, unknown opcodes, reserved bits, lengths that lie. Also the seeded
 * random source the malformed traffic is drawn from, so that a failure can be replayed.
 */
import { randomBytes } from 'node:crypto';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameSpec {
  opcode: number;
  payload?: Buffer;
  /** Default true. */
  fin?: boolean;
  /** RSV1-3 as the three bits 0b100 / 0b010 / 0b001; default 0. */
  rsv?: number;
  /** Clients must mask; default true. */
  masked?: boolean;
  /** The length the header announces, when it should not be the payload's. */
  declaredLength?: bigint;
}

export function frame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const length = spec.declaredLength ?? BigInt(payload.length);
  const masked = spec.masked ?? true;
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126n) header = Buffer.from([first, maskBit | Number(length)]);
  else if (length < 65536n) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(Number(length), 2);
    header[1] = maskBit | 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(length & 0xffff_ffff_ffff_ffffn, 2);
    header[1] = maskBit | 127;
  }
  header[0] = first;
  if (!masked) return Buffer.concat([header, payload]);
  // Masks and handshake keys come from crypto, not the seed: they change no outcome, only the bytes.
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let index = 0; index < body.length; index++) body[index] ^= mask[index & 3];
  return Buffer.concat([header, mask, body]);
}

export function textFrame(text: string | Buffer): Buffer {
  return frame({ opcode: OPCODE.text, payload: Buffer.isBuffer(text) ? text : Buffer.from(text) });
}

/** The opening handshake a browser page would send, with any header replaced or removed (null). */
export function handshake(options: {
  port: number;
  origin: string;
  target?: string | Buffer;
  method?: string;
  headers?: Record<string, string | null>;
}): Buffer {
  const headers: Record<string, string | null> = {
    Host: `127.0.0.1:${options.port}`,
    Origin: options.origin,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...options.headers,
  };
  const lines = Object.entries(headers)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const target = Buffer.isBuffer(options.target) ? options.target : Buffer.from(options.target ?? '/ipc', 'latin1');
  return Buffer.concat([Buffer.from(`${options.method ?? 'GET'} `), target, Buffer.from(` HTTP/1.1\r\n${lines}\r\n`, 'latin1')]);
}

/** mulberry32: small, fast and the same sequence for the same seed on every machine. */
export class SeededRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** In [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let index = 0; index < length; index++) out[index] = Math.floor(this.next() * 256);
    return out;
  }
  /** Random printable or not: a string of code points across the planes, lone surrogates included. */
  text(length: number): string {
    let out = '';
    for (let index = 0; index < length; index++) {
      const range = this.int(0, 3);
      out += String.fromCharCode(
        range === 0 ? this.int(0, 31) : range === 1 ? this.int(32, 126) : range === 2 ? this.int(0xd800, 0xdfff) : this.int(0x80, 0xffff),
      );
    }
    return out;
  }
}
