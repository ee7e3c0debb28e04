/**
 * Sends malformed cases to the browser host over raw loopback TCP, several connections at a
 * time, and notes every case whose connection the host did not handle as it should: a
 * handshake it should have accepted, an answer it should have given, a connection it kept open
 * after the peer left.
 */
import { connect, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { malformedCase, type HostAddress, type MalformedCase } from './malformed-cases.ts';
import { handshake, textFrame } from './raw-websocket.ts';

export interface TrafficOptions {
  host: HostAddress & { token: string };
  seed: number;
  /** Stop after this many cases... */
  count?: number;
  /** ...or at this time (ms since the epoch), whichever comes first. */
  until?: number;
  /** Connections open at once. */
  concurrency: number;
  /** How long the host may take to answer or to close after the peer's FIN (generous: CI machines are busy). */
  patienceMs?: number;
}

export interface TrafficReport {
  seed: number;
  cases: number;
  byKind: Record<string, number>;
  problemCount: number;
  /** The first problems, as "#index kind: what", enough to replay them with the seed. */
  problems: string[];
}

export async function runMalformedTraffic(options: TrafficOptions): Promise<TrafficReport> {
  const report: TrafficReport = { seed: options.seed, cases: 0, byKind: {}, problemCount: 0, problems: [] };
  const count = options.count ?? Number.POSITIVE_INFINITY;
  const until = options.until ?? Number.POSITIVE_INFINITY;
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < count && Date.now() < until) {
      const index = nextIndex++;
      const sent = malformedCase(options.seed, index, options.host);
      report.byKind[sent.kind] = (report.byKind[sent.kind] ?? 0) + 1;
      const problem = await runCase(options.host, sent, options.patienceMs ?? 10_000);
      report.cases++;
      if (problem !== null) {
        report.problemCount++;
        if (report.problems.length < 20) report.problems.push(`#${index} ${sent.kind}: ${problem}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return report;
}

/** One case on its own connection; null when the host behaved, else what went wrong. */
export async function runCase(host: HostAddress & { token: string }, sent: MalformedCase, patienceMs: number): Promise<string | null> {
  const connection = new Connection(connect({ host: '127.0.0.1', port: host.port }));
  try {
    if (!(await connection.opened)) return 'could not connect';
    if (sent.stage !== 'tcp') {
      connection.socket.write(handshake(host));
      if (!(await connection.waitFor((text) => text.includes('\r\n\r\n'), patienceMs))) return 'no answer to a valid handshake';
      if (!connection.text().startsWith('HTTP/1.1 101 ')) return `valid handshake refused: ${connection.text().split('\r\n')[0]}`;
      connection.clear();
    }
    if (sent.stage === 'welcomed') {
      connection.socket.write(textFrame(JSON.stringify({ type: 'hello', token: host.token })));
      if (!(await connection.waitFor((text) => text.includes('"type":"welcome"'), patienceMs))) return 'the right token was not welcomed';
      connection.clear();
    }
    for (const chunk of sent.chunks) {
      if (connection.closed) break;
      connection.socket.write(chunk);
      await nextTurn();
    }
    if (sent.expect) {
      const expected = sent.expect;
      if (!(await connection.waitFor((text) => expected.test(text), patienceMs)))
        return `expected ${expected} but got ${JSON.stringify(connection.text().slice(0, 120))}`;
    }
    connection.socket.end();
    if (!(await connection.waitForClose(patienceMs))) return `still open ${patienceMs} ms after the peer's FIN`;
    return null;
  } finally {
    connection.socket.destroy();
  }
}

/** A raw socket with what the host sent so far (first 64 KiB), and waits on it. */
class Connection {
  readonly opened: Promise<boolean>;
  closed = false;
  #received: Buffer[] = [];
  #size = 0;
  #wake: (() => void) | null = null;

  readonly socket: Socket;
  constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    // The host resets connections it drops; that is the expected end of most cases.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (this.#size < 65_536) {
        this.#received.push(chunk);
        this.#size += chunk.length;
      }
      this.#wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
    this.opened = new Promise((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('close', () => resolve(false));
    });
  }

  text(): string {
    return Buffer.concat(this.#received).toString('latin1');
  }

  clear(): void {
    const rest = this.text();
    const end = rest.indexOf('\r\n\r\n');
    // After a handshake, keep whatever followed the headers (a frame may share the packet).
    this.#received = end >= 0 && rest.startsWith('HTTP/') ? [Buffer.from(rest.slice(end + 4), 'latin1')] : [];
    this.#size = this.#received.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** True once the host's bytes satisfy `satisfied` (checked again after a close); false after `timeoutMs`. */
  waitFor(satisfied: (text: string) => boolean, timeoutMs: number): Promise<boolean> {
    return this.#waitUntil(() => satisfied(this.text()), timeoutMs);
  }

  /** True once the connection closed; false after `timeoutMs`. */
  waitForClose(timeoutMs: number): Promise<boolean> {
    return this.#waitUntil(() => this.closed, timeoutMs);
  }

  async #waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (condition()) return true;
      const left = deadline - Date.now();
      if (this.closed || left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
