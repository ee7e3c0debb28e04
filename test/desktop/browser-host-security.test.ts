/**
 * The browser host's boundary, probed from outside as an attacker on the same machine would:
 * a page from another origin, a client without the launch token, a request under another Host
 * name (DNS rebinding), and calls that the schemas must refuse before any service sees them.
 * Also `acsr serve` itself, run as a child process and stopped with SIGINT.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { CallResult, SocketServerMessage } from '../../main/ipc/contract/index.ts';
import { repoRoot } from '../support/shared-data.ts';
import { launchChromium, startDesktopFixture, type DesktopFixture } from './support/desktop-fixture.ts';

let fixture: DesktopFixture;

before(async () => {
  fixture = await startDesktopFixture();
});
after(async () => {
  await fixture?.close();
});

function socketUrl(): string {
  return `${fixture.host.origin.replace('http', 'ws')}/ipc`;
}

/** Resolves with the close code, or with the HTTP status if the upgrade was refused. */
function connectAndSay(options: {
  origin?: string;
  hello?: unknown;
  headers?: Record<string, string>;
}): Promise<{ closeCode?: number; httpStatus?: number; messages: SocketServerMessage[] }> {
  return new Promise((resolve) => {
    const messages: SocketServerMessage[] = [];
    const socket = new WebSocket(socketUrl(), { ...(options.origin ? { origin: options.origin } : {}), headers: options.headers ?? {} });
    socket.on('open', () => socket.send(JSON.stringify(options.hello)));
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.on('unexpected-response', (_request, response) => resolve({ httpStatus: response.statusCode, messages }));
    socket.on('close', (code) => resolve({ closeCode: code, messages }));
    socket.on('error', () => {});
  });
}

/** An authenticated client, for probing the schemas. */
async function authenticatedClient(): Promise<{ call: (channel: unknown, input: unknown) => Promise<CallResult>; close: () => void }> {
  const socket = new WebSocket(socketUrl(), { origin: fixture.host.origin });
  await once(socket, 'open');
  const pending = new Map<number, (result: CallResult) => void>();
  let welcomed!: () => void;
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as SocketServerMessage;
    if (message.type === 'welcome') welcomed();
    if (message.type === 'result') pending.get(message.callId)?.(message.result);
  });
  socket.send(JSON.stringify({ type: 'hello', token: fixture.host.token }));
  await welcome;
  let nextId = 1;
  return {
    call: (channel, input) =>
      new Promise((resolve) => {
        const callId = nextId++;
        pending.set(callId, resolve);
        socket.send(JSON.stringify({ type: 'call', callId, channel, input }));
      }),
    close: () => socket.close(),
  };
}

test('a WebSocket from a foreign origin is refused before any message', async () => {
  for (const origin of ['http://evil.example', 'http://localhost:' + new URL(fixture.host.origin).port, 'null']) {
    const outcome = await connectAndSay({ origin, hello: { type: 'hello', token: fixture.host.token } });
    assert.equal(outcome.httpStatus, 403, origin);
  }
  // No Origin at all (a non-browser client) is refused too: only the served page may connect.
  assert.equal((await connectAndSay({ hello: { type: 'hello', token: fixture.host.token } })).httpStatus, 403);
});

test('a wrong or missing token closes the socket with the refusal code and answers nothing', async () => {
  for (const hello of [
    { type: 'hello', token: 'x'.repeat(43) },
    { type: 'hello', token: '' },
    { type: 'call', callId: 1, channel: 'cases.list', input: {} },
  ]) {
    const outcome = await connectAndSay({ origin: fixture.host.origin, hello });
    assert.equal(outcome.closeCode, 4401, JSON.stringify(hello));
    assert.deepEqual(outcome.messages, []);
  }
  const garbage = await connectAndSay({ origin: fixture.host.origin, hello: 'not a message' });
  assert.equal(garbage.closeCode, 4400);
});

test('the right token and origin are welcomed', async () => {
  const client = await authenticatedClient();
  try {
    const state = await client.call('app.state', {});
    assert.ok(state.ok);
    assert.equal((state.value as { host: string }).host, 'browser');
  } finally {
    client.close();
  }
});

test('invalid calls are refused by the schema and change nothing', async () => {
  const client = await authenticatedClient();
  try {
    const refusedInputs: [string, unknown][] = [
      ['cases.get', { caseId: '../../etc' }],
      ['cases.get', { caseId: 'a/b' }],
      ['cases.get', {}],
      ['cases.list', { extra: true }],
      ['cases.create', { number: '', title: 'x' }],
      ['cases.create', { number: 'N-1', title: 'x', folder: '/tmp/elsewhere' }],
      ['app.setExaminer', { name: 'bell\u0007' }],
      ['evidence.thumbnail', { caseId: 'c', itemId: 1, maxEdge: 100000 }],
      ['evidence.setCategory', { caseId: 'c', itemIds: [1], category: 'CAT-9' }],
      ['jobs.start', { kind: 'import', caseId: 'c', sources: ['relative/path'] }],
      ['jobs.start', { kind: 'shell', command: 'rm -rf /' }],
      ['jobs.cancel', { jobId: -1 }],
      ['jobs.outputs', { jobId: 0 }],
      // Plots are asked for by evaluation id and plot name, never by path.
      ['evaluation.plot', { evaluationId: '../../etc', plot: 'accuracy-by-attack' }],
      ['evaluation.plot', { evaluationId: 'eval-1', plot: '../journal' }],
      ['evaluation.plot', { evaluationId: 'eval-1', plot: 'accuracy-by-attack', path: '/etc/passwd' }],
      ['jobs.start', { kind: 'eval', labelledFolder: '/tmp/labelled', attacks: 'fgsm;rm -rf', defenses: ['none'] }],
      ['jobs.start', { kind: 'eval', labelledFolder: '/tmp/labelled', attacks: 'fgsm', defenses: [] }],
      ['jobs.start', { kind: 'eval', labelledFolder: '/tmp/labelled', attacks: 'fgsm', defenses: ['none'], bundlePath: '/tmp/evil-bundle' }],
      // A trained bundle is named, not placed: the workspace decides its folder.
      ['jobs.start', { kind: 'train', labelledFolder: '/tmp/labelled', bundleName: '../../etc' }],
      ['jobs.start', { kind: 'train', labelledFolder: '/tmp/labelled', bundleName: 'mine', bundlePath: '/tmp/evil-bundle' }],
      ['jobs.start', { kind: 'train', labelledFolder: 'relative/labelled', bundleName: 'mine' }],
      ['jobs.start', { kind: 'train', labelledFolder: '/tmp/labelled', bundleName: 'mine', atoms: 0 }],
      ['jobs.start', { kind: 'train', labelledFolder: '/tmp/labelled', bundleName: 'mine', covariance: 'identity' }],
      // Bundles travel as ids of the server's own list, never as paths.
      ['jobs.start', { kind: 'purify', caseId: 'c', itemIds: [1], bundleId: '/tmp/evil-bundle' }],
      ['jobs.start', { kind: 'purify', caseId: 'c', itemIds: [1], bundleId: 'trained:../../etc' }],
      ['jobs.start', { kind: 'purify', caseId: 'c', itemIds: [1], bundlePath: '/tmp/evil-bundle' }],
      ['jobs.start', { kind: 'purify', caseId: 'c', itemIds: [1], override: { cluster: 'neutral:0', reason: '  ' } }],
      ['jobs.start', { kind: 'purify', caseId: 'c', itemIds: [0] }],
      ['jobs.start', { kind: 'purify', caseId: 'c', resumeCaseJobId: 1, bundleId: 'default-bundle' }],
      ['evidence.viewPart', { caseId: 'c', itemId: 1, runId: 1, part: '../../case.sqlite', maxEdge: 512 }],
      ['evidence.list', { caseId: 'c', verdict: { stage: 'during', topClass: 'Porn' } }],
      ['no.such.channel', {}],
      // A name over any channel's length is refused the same way, and the connection stays open.
      ['cases.list' + 'x'.repeat(500), {}],
      ['__proto__', {}],
      ['toString', {}],
    ];
    for (const [channel, input] of refusedInputs) {
      const result = await client.call(channel, input);
      assert.equal(result.ok, false, `${channel} ${JSON.stringify(input)}`);
      assert.equal(!result.ok && result.error.kind, 'invalid-input', `${channel} ${JSON.stringify(input)}`);
    }
    assert.deepEqual(await readdir(fixture.workspace), []);
    // Valid but about a folder that is not there: the user's error, and no job.
    const train = await client.call('jobs.start', { kind: 'train', labelledFolder: '/tmp/acsr-no-such-labelled-folder', bundleName: 'mine' });
    assert.equal(!train.ok && train.error.kind, 'user-error');
    assert.match(!train.ok ? train.error.message : '', /is not a folder/);
    const plot = await client.call('evaluation.plot', { evaluationId: 'eval-none', plot: 'accuracy-by-attack' });
    assert.equal(!plot.ok && plot.error.kind, 'user-error');
    // Valid but not offered by this host: a typed refusal, not a crash.
    const dialog = await client.call('dialog.chooseFolder', {});
    assert.equal(!dialog.ok && dialog.error.kind, 'unavailable');
    // A well-formed call about something that does not exist is the user's error, said plainly.
    const missing = await client.call('cases.get', { caseId: 'NO-SUCH-CASE' });
    assert.equal(!missing.ok && missing.error.kind, 'user-error');
    assert.match(!missing.ok ? missing.error.message : '', /NO-SUCH-CASE is not a case folder/);
    // A user error (no examiner yet) is reported as such.
    const create = await client.call('cases.create', { number: 'N-1', title: 'x' });
    assert.equal(!create.ok && create.error.kind, 'user-error');
  } finally {
    client.close();
  }
});

function httpGet(path: string, host?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const { hostname, port } = new URL(fixture.host.origin);
  return new Promise((resolve, reject) => {
    const sent = request({ hostname, port, path, headers: host ? { host } : {} }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    sent.on('error', reject);
    sent.end();
  });
}

test('the page is served with a strict CSP, only under the loopback name, and nothing outside the renderer', async () => {
  const page = await httpGet('/');
  assert.equal(page.status, 200);
  const csp = String(page.headers['content-security-policy']);
  for (const directive of [
    "default-src 'none'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    `connect-src 'self' ${socketUrl().replace('/ipc', '')}`,
  ]) {
    assert.ok(csp.includes(directive), `${directive} in ${csp}`);
  }
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  // Styles: only the page's own files and the per-load nonce emotion uses, never 'unsafe-inline'.
  const styleSources = /style-src ([^;]*)/.exec(csp)?.[1] ?? '';
  assert.match(styleSources, /^'self' 'nonce-[A-Za-z0-9+/]{24}'$/);
  const again = String((await httpGet('/')).headers['content-security-policy']);
  assert.notEqual(/'nonce-([^']*)'/.exec(again)?.[1], /'nonce-([^']*)'/.exec(csp)?.[1], 'a fresh nonce per load');
  assert.equal((await httpGet('/', `evil.example:${new URL(fixture.host.origin).port}`)).status, 421);
  assert.equal((await httpGet('/', `localhost:${new URL(fixture.host.origin).port}`)).status, 421);
  assert.equal((await httpGet('/../../../../etc/passwd')).status, 404);
  assert.equal((await httpGet('/%2e%2e/%2e%2e/etc/passwd')).status, 404);
  assert.equal((await httpGet('/app.js')).status, 200);
});

test('in Chromium, the CSP blocks string evaluation and inline or data: scripts on the page', { timeout: 30_000 }, async () => {
  const browser = await launchChromium();
  try {
    // Code injected the ways an XSS would, run from the page's own event loop (not DevTools).
    const inject = async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) => violations.push(event.effectiveDirective));
      const flags = window as unknown as Record<string, boolean>;
      (setTimeout as unknown as (code: string, ms: number) => void)('window.__stringTimerRan = true', 0);
      const inline = document.createElement('script');
      inline.textContent = 'window.__inlineRan = true';
      document.body.append(inline);
      const dataScript = document.createElement('script');
      // settled when the script ran (load) or was refused (error); a fixed wait was too short on a loaded machine
      const dataSettled = new Promise((resolve) => {
        dataScript.addEventListener('load', resolve);
        dataScript.addEventListener('error', resolve);
      });
      dataScript.src = 'data:text/javascript,window.__dataRan=true';
      document.body.append(dataScript);
      await Promise.race([dataSettled, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { ran: [flags.__stringTimerRan, flags.__inlineRan, flags.__dataRan].map(Boolean), violations: [...new Set(violations)].sort() };
    };
    const page = await browser.newPage();
    await page.goto(fixture.host.url);
    const outcome = await page.evaluate(inject);
    assert.deepEqual(outcome.ran, [false, false, false]);
    assert.ok(
      outcome.violations.some((directive) => directive.startsWith('script-src')),
      JSON.stringify(outcome.violations),
    );
    // Control: the same injections run when the policy is bypassed, so the check above can fail.
    const uncontrolled = await (await browser.newContext({ bypassCSP: true })).newPage();
    await uncontrolled.goto(fixture.host.url);
    assert.deepEqual((await uncontrolled.evaluate(inject)).ran, [true, true, true]);
  } finally {
    await browser.close();
  }
});

test('acsr serve prints its address, serves, and stops cleanly on SIGINT', { timeout: 60_000 }, async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'acsr-serve-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'main/cli/acsr.ts'), 'serve', '--workspace', workspace, '--renderer', join(fixture.root, 'renderer'), '--json'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const deadline = Date.now() + 45_000;
    while (!/workstation at (\S+)/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
    const url = /workstation at (\S+)/.exec(stdout)?.[1];
    assert.ok(url, `no address printed: ${stdout}`);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    const response = await fetch(new URL('/', url));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(stdout.trim().split('\n').at(-1) ?? '', /^\{"ok":true,"command":"serve"/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(workspace, { recursive: true, force: true });
  }
});
