/**
 * The malformed traffic: each case is what one hostile TCP connection sends to the browser host,
 * drawn from a seeded random source. A case starts at one of three stages: straight on the TCP
 * connection (HTTP garbage, bad upgrade requests), after a valid WebSocket handshake (frames
 * that break RFC 6455, bad messages, wrong tokens), or after the token was accepted (calls the
 * dispatcher must refuse, and protocol garbage from an authenticated page).
 */
import { frame, handshake, OPCODE, SeededRandom, textFrame } from './raw-websocket.ts';

export type CaseStage = 'tcp' | 'upgraded' | 'welcomed';

export interface MalformedCase {
  kind: string;
  stage: CaseStage;
  /** Written in order, each as its own write. */
  chunks: Buffer[];
  /** What the host must answer (checked on the bytes it sends back), when the answer is certain. */
  expect?: RegExp;
}

export interface HostAddress {
  port: number;
  origin: string;
}

type Generator = (random: SeededRandom, host: HostAddress) => Omit<MalformedCase, 'stage' | 'kind'> & { stage?: CaseStage };

/** Targets the URL parser refuses, or that name another authority: answered 400, never thrown. */
const UNPARSABLE_TARGETS = ['//[', '/\\[', '//[::1/ipc', '//evil.example/ipc', '/\\evil.example/ipc', '//%zz/ipc'];
/** Odd targets: refused (by Node or the host), or the socket path after normalisation ('/ipc/../ipc'), never a crash. */
const ODD_TARGETS = ['%', '/%', '/ipc%', '/ipc%zz', '*', 'ipc', 'http://127.0.0.1/ipc', '/ipc/../ipc', '/IPC', '/ipc#x', '/ipc?%ff', '/\t/ipc', '', '/ipc\0'];
const CHANNELS = ['app.state', 'cases.list', 'cases.get', 'jobs.start', 'jobs.cancel', 'evidence.list', 'evidence.viewPart', 'evaluation.plot'];

const tcpCases: Record<string, Generator> = {
  'random bytes': (random) => ({ chunks: [random.bytes(random.int(1, 4096))] }),
  'unparsable upgrade target': (random, host) => ({ chunks: [handshake({ ...host, target: random.pick(UNPARSABLE_TARGETS) })], expect: /^HTTP\/1\.1 400 / }),
  'odd upgrade target': (random, host) => ({ chunks: [handshake({ ...host, target: random.pick(ODD_TARGETS) })], expect: /^HTTP\/1\.1 (101|4\d\d) / }),
  'very long upgrade target': (random, host) => ({
    chunks: [handshake({ ...host, target: `/${'a'.repeat(random.int(1, 40_000))}` })],
    expect: /^HTTP\/1\.1 (403|431) /,
  }),
  'non-ASCII upgrade target': (random, host) => ({
    chunks: [handshake({ ...host, target: Buffer.concat([Buffer.from('/ipc/'), random.bytes(random.int(1, 64)).map((byte) => byte | 0x80)]) })],
  }),
  'unparsable page target': (random, host) => ({
    chunks: [Buffer.from(`GET ${random.pick(UNPARSABLE_TARGETS)} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`)],
    expect: /^HTTP\/1\.1 400 /,
  }),
  'refused handshake': (random, host) => {
    const variants: [Parameters<typeof handshake>[0], RegExp][] = [
      [{ ...host, headers: { Origin: 'http://evil.example' } }, /^HTTP\/1\.1 403 /],
      [{ ...host, headers: { Origin: null } }, /^HTTP\/1\.1 403 /],
      [{ ...host, headers: { Host: `localhost:${host.port}` } }, /^HTTP\/1\.1 403 /],
      [{ ...host, headers: { 'Sec-WebSocket-Key': null } }, /^HTTP\/1\.1 400 /],
      [{ ...host, headers: { 'Sec-WebSocket-Key': 'short' } }, /^HTTP\/1\.1 400 /],
      [{ ...host, headers: { 'Sec-WebSocket-Version': String(random.pick([0, 7, 9, 12, 14, 99])) } }, /^HTTP\/1\.1 400 /],
      [{ ...host, headers: { Upgrade: 'h2c' } }, /^HTTP\/1\.1 400 /],
      [{ ...host, method: 'POST' }, /^HTTP\/1\.1 400 /],
      [{ ...host, headers: { 'Sec-WebSocket-Protocol': ',,,' } }, /^HTTP\/1\.1 400 /],
    ];
    const [request, expect] = random.pick(variants);
    return { chunks: [handshake(request)], expect };
  },
  'malformed HTTP': (random, host) => {
    const variants = [
      `GET /ipc HTTP/9.9\r\n\r\n`,
      `\r\n\r\n\r\n`,
      `GET\r\n\r\n`,
      ` /ipc HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`,
      `GET /ipc HTTP/1.1\r\nno colon here\r\n\r\n`,
      `GET /ipc HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nHost: evil\r\n\r\n`,
      `GET /ipc HTTP/1.1\r\nX: a\r\n folded\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nContent-Length: -1\r\n\r\n`,
      `POST / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n`,
      `POST / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n`,
      `GET / HTTP/1.1\r\n${'X-Many: y\r\n'.repeat(random.int(100, 3000))}\r\n`,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nX-Nul: a\0b\r\n\r\n`,
      `GET /ipc HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`,
    ];
    return { chunks: [Buffer.from(random.pick(variants), 'latin1')] };
  },
};

/** Frames no conforming client sends; ws must refuse each, and the host must not notice. */
const protocolCases: Record<string, Generator> = {
  'unmasked frame': () => ({ chunks: [frame({ opcode: OPCODE.text, payload: Buffer.from('{"type":"hello","token":"x"}'), masked: false })] }),
  'bad opcode': (random) => ({ chunks: [frame({ opcode: random.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), payload: random.bytes(random.int(0, 200)) })] }),
  'reserved bits': (random) => ({
    chunks: [frame({ opcode: random.pick([OPCODE.text, OPCODE.binary, OPCODE.ping]), rsv: random.int(1, 7), payload: random.bytes(random.int(0, 100)) })],
  }),
  'invalid UTF-8 text': (random) => {
    const bad = random.pick([
      Buffer.from([0xc3, 0x28]),
      Buffer.from([0xff]),
      Buffer.from([0xe0, 0x80, 0xaf]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf4, 0x90, 0x80, 0x80]),
    ]);
    return {
      chunks: [
        frame({ opcode: random.pick([OPCODE.text, OPCODE.close]), payload: random.next() < 0.5 ? bad : Buffer.concat([Buffer.from([0x03, 0xe8]), bad]) }),
      ],
    };
  },
  'oversized length header': (random) => {
    const declared = random.pick([(1n << 20n) + 1n, 1n << 31n, (1n << 53n) + 7n, (1n << 63n) + 1n, 0xffff_ffff_ffff_ffffn]);
    return {
      chunks: [
        frame({ opcode: random.pick([OPCODE.text, OPCODE.binary, OPCODE.continuation]), declaredLength: declared, payload: random.bytes(random.int(0, 1000)) }),
      ],
    };
  },
  'message over the size limit in fragments': () => {
    const part = Buffer.alloc(300_000, 0x61);
    return {
      chunks: [
        frame({ opcode: OPCODE.text, fin: false, payload: part }),
        ...[1, 2, 3].map((index) => frame({ opcode: OPCODE.continuation, fin: index === 3, payload: part })),
      ],
    };
  },
  'fragmented garbage': (random) => {
    const sequences = [
      () => [frame({ opcode: OPCODE.continuation, payload: random.bytes(10) })],
      () => [frame({ opcode: OPCODE.text, fin: false, payload: Buffer.from('{"ty') }), frame({ opcode: OPCODE.text, payload: Buffer.from('pe"') })],
      () => [frame({ opcode: OPCODE.ping, fin: false, payload: random.bytes(4) })],
      () => [frame({ opcode: OPCODE.ping, payload: random.bytes(random.int(126, 1000)) })],
      () => [frame({ opcode: OPCODE.close, payload: Buffer.from([0x03]) })],
      () => [frame({ opcode: OPCODE.close, payload: Buffer.from([random.pick([0, 3, 9]), random.int(0, 255)]) })],
      () => [
        frame({ opcode: OPCODE.text, fin: false, payload: Buffer.from([0xe2, 0x82]) }),
        frame({ opcode: OPCODE.continuation, payload: Buffer.from([0x28]) }),
      ],
      () =>
        Array.from({ length: random.int(2, 20) }, () =>
          frame({
            opcode: random.int(0, 15),
            fin: random.next() < 0.5,
            rsv: random.next() < 0.2 ? random.int(1, 7) : 0,
            masked: random.next() < 0.9,
            payload: random.bytes(random.int(0, 300)),
          }),
        ),
    ];
    return { chunks: random.pick(sequences)() };
  },
  'truncated frame': (random) => {
    const whole = frame({ opcode: OPCODE.text, payload: Buffer.from(JSON.stringify({ type: 'call', callId: 1, channel: 'app.state', input: {} })) });
    return { chunks: [whole.subarray(0, random.int(1, whole.length - 1))] };
  },
  'random bytes after the handshake': (random) => ({ chunks: [random.bytes(random.int(1, 2048))] }),
};

/** Well-formed frames whose messages are not what the host speaks. */
const messageCases: Record<string, Generator> = {
  'bad JSON': (random) => {
    const texts = [
      () => random.text(random.int(0, 200)),
      () => '{'.repeat(random.int(1, 5000)),
      () => '['.repeat(30_000) + ']'.repeat(30_000),
      () => '{"type":"call",',
      () => '1e999999',
      () => `"${'\\u'.repeat(50)}"`,
    ];
    return { chunks: [textFrame(random.pick(texts)())] };
  },
  'binary message': (random) => ({ chunks: [frame({ opcode: OPCODE.binary, payload: random.bytes(random.int(0, 500)) })] }),
  'unknown message': (random) => ({
    chunks: [
      textFrame(
        JSON.stringify(
          random.pick([
            { type: 'hello' },
            { type: 'welcome' },
            { type: 'call', callId: -1, channel: 'app.state', input: {} },
            { type: 'hello', token: 'x'.repeat(201) },
            [],
            null,
            42,
          ]),
        ),
      ),
    ],
  }),
};

const preAuthCases: Record<string, Generator> = {
  'wrong token': (random) => ({
    chunks: [
      textFrame(
        JSON.stringify({ type: 'hello', token: random.pick([random.bytes(32).toString('base64url').slice(0, 43), '', random.text(random.int(1, 100))]) }),
      ),
    ],
    expect: /wrong token/,
  }),
  'call before the token': () => ({
    chunks: [textFrame(JSON.stringify({ type: 'call', callId: 1, channel: 'cases.list', input: {} }))],
    expect: /wrong token/,
  }),
};

/** Calls from an authenticated page that the dispatcher must answer invalid-input, connection kept. */
const refusedCallCases: Record<string, Generator> = {
  'unknown channel': (random) => ({
    chunks: [call(random.pick([random.text(random.int(0, 100)), '__proto__', 'constructor', 'toString', 'app.state.x', 'jobs.start ']), {})],
    expect: /"kind":"invalid-input"/,
  }),
  'over-long channel name': (random) => ({ chunks: [call(random.pick(CHANNELS) + 'x'.repeat(random.int(1, 20_000)), {})], expect: /"kind":"invalid-input"/ }),
  'input that is not an object': (random) => ({
    chunks: [call(random.pick(CHANNELS), random.pick([null, 0, -1, 'x', [], [{}], true, random.text(20)]))],
    expect: /"kind":"invalid-input"/,
  }),
  'unknown input field': (random) => ({
    chunks: [call(random.pick(CHANNELS), { [`fuzz${random.int(0, 1e6)}`]: random.text(random.int(0, 50)) })],
    expect: /"kind":"invalid-input"/,
  }),

  'deeply nested input': (random) => {
    const depth = random.int(1_000, 30_000);
    return {
      chunks: [textFrame(`{"type":"call","callId":7,"channel":"${random.pick(CHANNELS)}","input":${'['.repeat(depth)}${']'.repeat(depth)}}`)],
      expect: /"kind":"invalid-input"/,
    };
  },
};

function call(channel: string, input: unknown): Buffer {
  return textFrame(JSON.stringify({ type: 'call', callId: 7, channel, input }));
}

/** [kind, stage, generator, weight]: the megabyte-sized case is drawn rarely, to keep a run short. */
type Entry = [kind: string, stage: CaseStage, generate: Generator, weight: number];
const GENERATORS: Entry[] = [
  ...Object.entries(tcpCases).map(([kind, generate]) => [kind, 'tcp', generate, 1] as Entry),
  ...Object.entries({ ...protocolCases, ...messageCases, ...preAuthCases }).map(([kind, generate]) => [kind, 'upgraded', generate, weightOf(kind)] as Entry),
  ...Object.entries({ ...protocolCases, ...messageCases }).map(
    ([kind, generate]) => [`${kind}, after the token`, 'welcomed', generate, weightOf(kind)] as Entry,
  ),
  ...Object.entries(refusedCallCases).map(([kind, generate]) => [kind, 'welcomed', generate, 1] as Entry),
];
const TOTAL_WEIGHT = GENERATORS.reduce((sum, [, , , weight]) => sum + weight, 0);

function weightOf(kind: string): number {
  return kind === 'message over the size limit in fragments' ? 0.1 : 1;
}

/** Every kind of case the generator knows, for reports. */
export const CASE_KINDS = GENERATORS.map(([kind]) => kind);

/** Case number `index` of the sequence for `seed`: the same case on every run. */
export function malformedCase(seed: number, index: number, host: HostAddress): MalformedCase {
  const random = new SeededRandom(Math.imul(seed, 1_000_003) + index);
  let draw = random.next() * TOTAL_WEIGHT;
  const chosen = GENERATORS.find(([, , , weight]) => (draw -= weight) < 0) ?? GENERATORS[GENERATORS.length - 1];
  const [kind, stage, generate] = chosen;
  const drawn = generate(random, host);
  return { kind, stage: drawn.stage ?? stage, chunks: drawn.chunks, ...(drawn.expect ? { expect: drawn.expect } : {}) };
}
