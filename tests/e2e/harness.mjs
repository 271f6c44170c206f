// Shared plumbing of the end-to-end test and the front-end benchmark: start an Insights server
// on a free loopback port and read its token, call its JSON API, launch Debian's Chromium through
// playwright-core, wait for conditions and save screenshots. Every server and browser started
// here is registered and stopped by stopAll(), also when a test fails or the process is killed.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const ARTIFACTS = path.join(HERE, 'artifacts');
export const DOCS = path.join(ROOT, 'docs');
export const PYTHON = process.env.INSIGHTS_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const URL_LINE = /Insights is running at (http:\/\/\S+)/;
const running = new Set();

/** A port free on 127.0.0.1 now (the OS picks it; the server binds it a moment later). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Start a Python server (`args` after the interpreter, `--port` appended) and resolve once it
 * prints its URL: { url, origin, token, log(), stop() }. Rejects with the server's output if it
 * exits or stays silent for `timeoutMs`.
 */
export async function startServer(args, { timeoutMs = 60_000, name = args.join(' '), env = {} } = {}) {
  const port = await freePort();
  const child = spawn(PYTHON, [...args, '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() also ends anything it spawned
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const server = {
    name,
    port,
    pid: child.pid,
    log: () => output,
    async stop() {
      running.delete(server);
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGTERM');
      const stopped = await Promise.race([exited, delay(5000).then(() => null)]);
      if (!stopped) {
        signalGroup(child, 'SIGKILL');
        await exited;
      }
    },
  };
  running.add(server);
  const started = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = URL_LINE.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    exited.then(({ code, signal }) => reject(new Error(`${name} exited (${code ?? signal}) before printing its URL:\n${output}`)));
  });
  let url;
  try {
    url = await withTimeout(started, timeoutMs, () => `${name} printed no URL within ${timeoutMs} ms:\n${output}`);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const parsed = new URL(url);
  return Object.assign(server, { url, origin: parsed.origin, token: parsed.searchParams.get('token') });
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

/** The example dashboard (`python -m insights.example`) without cache, so every run computes, and
 * with its data-set job stores in a fresh temporary folder (XDG_CACHE_HOME), so none is resumed. */
export function startExampleServer(models = [], opts = {}) {
  const extra = models.flatMap((m) => ['--model', m]);
  const cache = mkdtempSync(path.join(os.tmpdir(), 'insights-e2e-'));
  return startServer(['-m', 'insights.example', '--no-browser', '--no-cache', ...extra],
    { name: 'insights.example', ...opts, env: { XDG_CACHE_HOME: cache, ...(opts.env ?? {}) } });
}

/** Run a Python script (its text) with the project's interpreter; resolves with its stdout. */
export function runPython(source, { timeoutMs = 60_000 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'insights-e2e-py-'));
  const file = path.join(dir, 'snippet.py');
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [file], { cwd: dir, timeout: timeoutMs, env: { ...process.env, PYTHONPATH: ROOT } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the script failed (${err.message}):\n${stderr}\n--- script ---\n${source}`));
      else resolve(stdout);
    });
  });
}

/** Width and height of a PNG file, from its IHDR chunk. */
export function pngSize(file) {
  const bytes = readFileSync(file);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The test's own server with a model that raises during attribution (workspace "main"). */
export function startFailingServer(opts = {}) {
  return startServer([path.join(HERE, 'failing_server.py')], { name: 'failing_server.py', ...opts });
}

/** Fail early, and say why, when the front end is not built (the server would serve a placeholder). */
export function requireBuiltFrontEnd() {
  if (!existsSync(path.join(ROOT, 'insights', 'static', 'index.html'))) {
    throw new Error('insights/static/index.html is missing: build the front end (pip install -e . or npm --prefix frontend run build)');
  }
}

/** Write each started server's output to tests/e2e/artifacts/<name>.log. */
export function saveLogs(servers) {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [name, server] of Object.entries(servers)) {
    if (server) writeFileSync(path.join(ARTIFACTS, `${name}.log`), server.log());
  }
}

/** Call the server's JSON API with its token; GET without `body`, POST JSON with it. */
export async function api(server, route, body) {
  const init = { headers: { 'X-Insights-Token': server.token } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(server.origin + route, init);
  const data = await response.json();
  if (!response.ok) throw new Error(`${route}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

/** Launch headless Chromium (Debian's; playwright cannot download browsers here). */
export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const handle = { stop: () => browser.close().catch(() => {}) };
  running.add(handle);
  browser.once('disconnected', () => running.delete(handle));
  return browser;
}

/** A new page at 1280x800 (in a fresh context: its own profile, cookies and storage) whose console
 * errors and failed requests are collected in `page.problems`; downloads and the clipboard work. */
export async function openPage(browser, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({
    viewport: { width, height }, acceptDownloads: true, permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) page.problems.push(`console: ${msg.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) page.problems.push(`HTTP ${r.status()} ${r.url()}`); });
  return page;
}

/** Save a full-page screenshot as tests/e2e/artifacts/<name>.png and return its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A screenshot of what is in view for the user guide: docs/<name>.png (kept small: the viewport). */
export async function docsScreenshot(page, name) {
  mkdirSync(DOCS, { recursive: true });
  const file = path.join(DOCS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Poll `check()` until it returns a truthy value (resolved with it) or `timeoutMs` passes. */
export async function waitUntil(check, { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await delay(intervalMs);
  }
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message())), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Stop every server and browser started here (in parallel). */
export async function stopAll() {
  await Promise.all([...running].map((r) => r.stop()));
}

// A killed or interrupted run still takes its servers down.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => { stopAll().finally(() => process.exit(130)); });
}
process.once('exit', () => {
  for (const r of running) if (r.pid) try { process.kill(-r.pid, 'SIGKILL'); } catch { /* gone */ }
});
