import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { spawnServerProcess, type ServerProcess } from '@scomp/app-server/testing';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type BrowserFixture } from './support/browser.js';

const PLAYGROUND_LINE = /^scomp playground at (http:\/\/\S+)$/m;

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A WebSocket frame as Chromium saw it go over the network. */
interface Frame {
  direction: 'sent' | 'received';
  payload: string;
}

describe('the playground, in Chromium, served by scomp-server --playground', () => {
  let server: ServerProcess;
  let browser: BrowserFixture;
  let page: Page;
  let pageErrors: string[];
  const frames: Frame[] = [];

  beforeAll(async () => {
    server = await spawnServerProcess(['--playground']);
    browser = await launchBrowser();
    ({ page, errors: pageErrors } = await browser.newPage());
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => frames.push({ direction: 'sent', payload: String(frame.payload) }));
      socket.on('framereceived', (frame) => frames.push({ direction: 'received', payload: String(frame.payload) }));
    });
  });

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await server?.[Symbol.asyncDispose]();
  });

  const cells = () => page.getByTestId('cell');
  const status = (text: string) => page.locator('[data-testid="status"]', { hasText: new RegExp(`^${text}$`) });

  /** Runs code from the editor with Ctrl+Enter and returns its cell once it has settled. */
  async function run(code: string): Promise<Locator> {
    const index = await cells().count();
    await start(code);
    const cell = page.locator(`[data-testid="cell"]:nth-child(${index + 1}):not([data-status="running"])`);
    await cell.waitFor();
    return cell;
  }

  /** Submits code and returns its cell at once, while it may still run. */
  async function start(code: string): Promise<Locator> {
    const index = await cells().count();
    const editor = page.getByLabel('code');
    await editor.fill(code);
    await editor.press('Control+Enter');
    const cell = page.locator(`[data-testid="cell"]:nth-child(${index + 1})`);
    await cell.waitFor();
    return cell;
  }

  async function resultOf(cell: Locator): Promise<string> {
    expect(await cell.getAttribute('data-status')).toBe('ok');
    return (await cell.getByTestId('result').innerText()).trim();
  }

  it('prints the page URL, loads the page from it and completes the handshake', async () => {
    const url = PLAYGROUND_LINE.exec(server.stdout)?.[1];
    expect(url).toBe(server.url.replace(/^ws:/, 'http:') + '/');
    await page.goto(url!);
    await status('connected').waitFor();
    expect(await page.getByTestId('session-id').innerText()).toMatch(/^\S{8,}$/);
    expect(await page.getByTestId('declarations').innerText()).toContain('declare function getOrder(');
    await page.locator('[data-testid="timeline-row"][data-method="handshake"][data-kind="response"]').waitFor();
    expect(await page.locator('[data-testid="timeline-row"][data-method="handshake"]').count()).toBe(2);
  });

  it("evaluates getOrder({ id: 'o_001' }) and shows its total, 142.5", async () => {
    const cell = await run("const o = await getOrder({ id: 'o_001' }); o.total");
    expect(await resultOf(cell)).toBe('142.5');
    await screenshot(page, 'playground-first-eval');
  });

  it('keeps state into the next eval, with console output inline and in order', async () => {
    const cell = await run("console.log('first', o.id); console.warn('second'); o.items.length");
    expect(await resultOf(cell)).toBe('2');
    const lines = await cell.getByTestId('console-line').allInnerTexts();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^first\s*o_001$/);
    expect(lines[1]).toBe('second');
  });

  it('shows values as an expandable tree and an error with its line', async () => {
    const tree = await run('o');
    await tree.locator('.tree-row', { hasText: /^▸items: Array\(2\)/ }).getByRole('button').first().click();
    await tree.locator('.tree-row', { hasText: /^▸0: \{…\}/ }).getByRole('button').first().click();
    await tree.getByText('"Mechanical keyboard"').waitFor();
    const failed = await run('const a = 1;\nnull.x');
    expect(await failed.getAttribute('data-status')).toBe('error');
    expect(await failed.getByTestId('error-line').innerText()).toContain('line 2');
    expect(await failed.getByTestId('error').innerText()).toContain('TypeError');
  });

  it('keeps the editor history in localStorage and walks it with the arrow keys', async () => {
    const editor = page.getByLabel('code');
    await editor.fill('');
    await editor.press('ArrowUp');
    expect(await editor.inputValue()).toBe('const a = 1;\nnull.x');
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('scomp.playground.history') ?? '[]') as string[]);
    expect(stored.slice(-2)).toEqual(['o', 'const a = 1;\nnull.x']);
    await editor.fill('');
  });

  it('invokes a binding from the form built from its input schema', async () => {
    const card = page.locator('[data-binding="getOrder"]');
    await card.locator('summary').first().click();
    await card.locator('input[name="id"]').fill('o_002');
    await card.getByRole('button', { name: 'Invoke' }).click();
    const result = card.getByTestId('invoke-result');
    await result.getByText('"Alan Turing"').waitFor();
    await page.locator('[data-testid="timeline-row"][data-method="invoke"][data-direction="out"][data-kind="request"]').waitFor();
  });

  it('asks confirm in a dialog and returns the answer to guest code', async () => {
    const cell = await start("await confirm({ message: 'Ship order o_001?' })");
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Ship order o_001?').waitFor();
    await screenshot(page, 'playground-confirm');
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await page.locator(`[data-testid="cell"]:nth-child(${(await cells().count())})[data-status="ok"]`).waitFor();
    expect(await resultOf(cell)).toBe('true');
    // The timeline links the server's confirm invoke to the eval that caused it.
    await page.getByTestId('caused-invoke').filter({ hasText: 'confirm' }).waitFor();
  });

  it('shows notify as a toast', async () => {
    const cell = await run("await notify({ message: 'order o_001 shipped', level: 'success' }); 'sent'");
    expect(await resultOf(cell)).toBe('"sent"');
    await page.getByRole('status').filter({ hasText: 'order o_001 shipped' }).waitFor();
  });

  it('renders an HTML panel in a sandboxed iframe and lists a file comment', async () => {
    const cell = await run(
      "await html_panel.show({ id: 'totals', label: 'Totals', contents: `<h1 id=\"t\">Total ${o.total}</h1>` }); await html_panel.get({ id: 'totals' })",
    );
    expect(await resultOf(cell)).toBe('"<h1 id=\\"t\\">Total 142.5</h1>"');
    const frame = page.locator('[data-panel="totals"] iframe');
    expect(await frame.getAttribute('sandbox')).toBe('allow-scripts');
    await page.frameLocator('[data-panel="totals"] iframe').locator('#t', { hasText: 'Total 142.5' }).waitFor();
    await screenshot(page, 'playground-html-panel');

    const comment = await run(
      "await file_comment.show({ id: 'c1', url: 'src/orders.ts', start: { line: 3 }, end: { line: 5 }, can_reply: false, body: 'total drops the shipping' })",
    );
    expect(await resultOf(comment)).toBe('null');
    expect(await page.locator('[data-comment="c1"]').innerText()).toBe('src/orders.ts:3–5 total drops the shipping');
  });

  it('shows a returned function as a callable reference and calls it', async () => {
    const cell = await run('({ double: (x) => x * 2 })');
    await page.getByTestId('ref-counts').filter({ hasText: '1 imported' }).waitFor();
    await cell.getByRole('button', { name: 'call' }).click();
    await cell.getByLabel('arguments (JSON)').fill('21');
    const before = await cells().count();
    await cell.getByRole('button', { name: 'invoke' }).click();
    const call = page.locator(`[data-testid="cell"]:nth-child(${before + 1})[data-status="ok"]`);
    await call.waitFor();
    expect(await resultOf(call)).toBe('42');
  });

  it('drops the connection and resumes the session with its state intact', async () => {
    const sessionId = await page.getByTestId('session-id').innerText();
    await page.getByRole('button', { name: 'Drop connection' }).click();
    await page.locator('[data-testid="state-log"] li[data-state="resumed"]').waitFor();
    await status('connected').waitFor();
    const states = await page.locator('[data-testid="state-log"] li').evaluateAll((items) => items.map((item) => item.getAttribute('data-state')));
    expect(states.slice(-3)).toEqual(['reconnecting', 'resumed', 'connected']);
    expect(await page.getByTestId('session-id').innerText()).toBe(sessionId);
    expect(await resultOf(await run('o.total'))).toBe('142.5');
    await page.locator('[data-testid="timeline-row"][data-method="handshake"]', { hasText: 'connection 2' }).first().waitFor();
    await screenshot(page, 'playground-resumed');
  });

  it('cancels a running while (true) {} and stays usable', async () => {
    const cell = await start('while (true) {}');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.locator(`[data-testid="cell"]:nth-child(${await cells().count()})[data-status="cancelled"]`).waitFor();
    expect(await cell.getAttribute('data-status')).toBe('cancelled');
    expect(await resultOf(await run('1 + 1'))).toBe('2');
  });

  it('shows every message of the session in the timeline, filters by method and exports them', async () => {
    // Wait for the answer of the last eval to be on the timeline, then compare with what Chromium saw.
    const rows = page.getByTestId('timeline-row');
    await page.getByTestId('timeline-count').filter({ hasText: `${frames.length} of ${frames.length} messages` }).waitFor();
    expect(await rows.count()).toBe(frames.length);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const file = await (await download).path();
    const transcript = JSON.parse(await readFile(file, 'utf8')) as { messages: { from: string; message: unknown; bytes: number; atMs: number }[] };
    const sent = frames.filter((frame) => frame.direction === 'sent').map((frame) => JSON.parse(frame.payload) as unknown);
    const received = frames.filter((frame) => frame.direction === 'received').map((frame) => JSON.parse(frame.payload) as unknown);
    expect(transcript.messages.filter((entry) => entry.from === 'client').map((entry) => entry.message)).toEqual(sent);
    expect(transcript.messages.filter((entry) => entry.from === 'server').map((entry) => entry.message)).toEqual(received);
    const sizes = (from: string) => transcript.messages.filter((entry) => entry.from === from).map((entry) => entry.bytes);
    const frameSizes = (direction: Frame['direction']) =>
      frames.filter((frame) => frame.direction === direction).map((frame) => Buffer.byteLength(frame.payload));
    expect(sizes('client')).toEqual(frameSizes('sent'));
    expect(sizes('server')).toEqual(frameSizes('received'));
    expect(sent.some((message) => (message as { method?: string }).method === 'cancel')).toBe(true);

    await page.getByLabel('filter by method').selectOption('eval');
    const methods = await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-method')));
    expect(methods.length).toBeGreaterThan(0);
    expect(new Set(methods)).toEqual(new Set(['eval']));
    await page.getByLabel('filter by method').selectOption('');
    await screenshot(page, 'playground-timeline');
  });

  it('connects to a server the user types, with a token, and reports one it cannot reach', async () => {
    await using guarded = await spawnServerProcess(['--token', 'letmein']);
    const address = page.getByLabel('server URL');
    const connect = page.getByRole('button', { name: 'Reconnect', exact: true });
    const closedUrl = `ws://127.0.0.1:${await closedPort()}/`;
    await address.fill(closedUrl);
    await connect.click();
    await status('failed').waitFor();
    expect(await page.getByTestId('connect-error').innerText()).toContain(`could not connect to ${closedUrl}`);
    // Chromium itself logs the refused connection; that one is expected.
    const refused = pageErrors.findIndex((text) => text.startsWith(`WebSocket connection to '${closedUrl}' failed`));
    expect(refused).toBeGreaterThanOrEqual(0);
    pageErrors.splice(refused, 1);

    await address.fill(guarded.url);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByTestId('connect-error').filter({ hasText: 'Unauthorized: missing or wrong token' }).waitFor();

    await page.getByLabel('token').fill('letmein');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await status('connected').waitFor();
    expect(await resultOf(await run("(await getOrder({ id: 'o_003' })).customer"))).toBe('"Grace Hopper"');
  });

  it('logged no errors on the page console', () => {
    expect(pageErrors).toEqual([]);
  });
});
