// The Jupyter widget in JupyterLab and in Notebook 7: start each (the test extra) headless on a free
// loopback port with a token, open examples/widget.ipynb (a copy) in Debian's Chromium, run the cells up to
// the one ending in `.render()`, press the dashboard's Fetch, and see an image heatmap painted in
// the cell's output; ask the kernel for `widget.results`; run a long job (the kernel makes the model
// slow on purpose: 0.05 s per example row, 4 rows per chunk, so the job lasts 100 s on any machine),
// see its progress bar move and cancel it; Ctrl+Enter fetches only from inside the widget; upload
// an image and see it attributed. Screenshots: artifacts/jupyterlab-widget.png, artifacts/notebook7-widget.png.
// Run: node --test tests/e2e/jupyterlab/widget.test.mjs (needs tests/e2e's node_modules and
// the widget bundle, built by `npm --prefix frontend run build`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..', '..');
const ARTIFACTS = path.join(HERE, '..', 'artifacts');
const PYTHON = process.env.INSIGHTS_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const BUNDLE = path.join(ROOT, 'insights', 'static', 'widget', 'index.js');
const cleanups = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check, what, timeoutMs = 10_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await delay(50)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** JupyterLab or Notebook 7 (`app`: the Python module) in its own process group and its own
 *  config/data/runtime directories. */
/** Run `code` in the notebook's kernel; resolves with what it printed. */
function runInKernel(page, code) {
  return page.evaluate(async (source) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({ code: source });
    let text = '';
    future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') text += msg.content.text; };
    await future.done;
    return text;
  }, code);
}

// Makes the dashboard's model take 0.05 s per example row (and undoes it), so a long job is long
// whatever the machine: the Cancel check then decides on the outcome, never on a duration.
const SLOW_MODEL = [
  'import time',
  '_model = visualizer.service.models[0].module',
  '_plain = type(_model).forward',
  '_model.forward = lambda *a, **k: (time.sleep(0.05 * a[0].shape[0]), _plain(_model, *a, **k))[1]',
].join('\n');
const PLAIN_MODEL = 'del _model.forward';

async function startJupyter(app, home) {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const dirs = Object.fromEntries(['config', 'data', 'runtime', 'settings', 'workspaces', 'ipython']
    .map((d) => [d, path.join(home, '.' + d)]));
  const appOptions = app === 'jupyterlab'
    ? ['--LabApp.expose_app_in_browser=True', '--LabApp.news_url=', '--LabApp.extension_manager=readonly',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    : ['--JupyterNotebookApp.expose_app_in_browser=True'];
  const child = spawn(PYTHON, ['-m', app, '--no-browser', '--ip=127.0.0.1', `--port=${port}`,
    `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${home}`, '--ServerApp.terminals_enabled=False',
    '--ServerApp.port_retries=0', '--KernelManager.transport=ipc', // no other port than the one chosen
    ...appOptions, ...(process.getuid?.() === 0 ? ['--allow-root'] : [])], {
    cwd: home,
    env: { ...process.env, JUPYTER_CONFIG_DIR: dirs.config, JUPYTER_DATA_DIR: dirs.data,
      JUPYTER_RUNTIME_DIR: dirs.runtime, JUPYTERLAB_SETTINGS_DIR: dirs.settings,
      JUPYTERLAB_WORKSPACES_DIR: dirs.workspaces, IPYTHONDIR: dirs.ipython, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (c) => { log += c; });
  child.stderr.setEncoding('utf8').on('data', (c) => { log += c; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid, 'SIGTERM'); // the server shuts its kernels down
    if (!(await Promise.race([exited.then(() => true), delay(8000).then(() => false)]))) {
      process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${app} exited:\n${log}`);
    const ok = await fetch(`${base}/api/status`, { headers: { Authorization: `token ${token}` } })
      .then((r) => r.ok, () => false);
    if (ok) return { base, token, log: () => log };
    await delay(250);
  }
  throw new Error(`${app} did not answer within 90 s:\n${log}`);
}

/** The scenario, in JupyterLab (`app` 'jupyterlab', page `lab/tree/`) or Notebook 7 ('notebook', `notebooks/`). */
async function widgetScenario(app, pagePath, screenshotName) {
  assert.ok(existsSync(BUNDLE), `the widget bundle is missing: run npm --prefix frontend run build (${BUNDLE})`);
  const home = mkdtempSync(path.join(os.tmpdir(), 'insights-jupyter-'));
  cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
  copyFileSync(path.join(ROOT, 'examples', 'widget.ipynb'), path.join(home, 'widget.ipynb'));
  const lab = await startJupyter(app, home);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  try {
    await page.goto(`${lab.base}/${pagePath}widget.ipynb?token=${lab.token}`);
    await page.waitForFunction(() => window.jupyterapp?.shell.currentWidget?.sessionContext, null, { timeout: 90_000 });
    // run every cell above the one that renders the widget, then that cell
    const ran = await page.evaluate(async () => {
      const app = window.jupyterapp;
      const panel = app.shell.currentWidget;
      await panel.context.ready;
      await panel.sessionContext.ready;
      const notebook = panel.content;
      const cells = Array.from({ length: notebook.model.cells.length }, (_, i) => notebook.model.cells.get(i));
      const index = cells.findIndex((c) => c.type === 'code' && c.sharedModel.getSource().includes('.render()'));
      notebook.activeCellIndex = index;
      await app.commands.execute('notebook:run-all-above');
      await app.commands.execute('notebook:run-cell');
      return { index, active: notebook.activeCellIndex, cells: cells.length };
    });
    assert.ok(ran.index > 0, `no cell calls .render(): ${JSON.stringify(ran)}`);
    const output = page.locator('.jp-OutputArea-output');
    const fetchButton = output.getByRole('button', { name: 'Fetch', exact: true });
    await fetchButton.waitFor({ timeout: 90_000 });
    await fetchButton.click();

    const heatmap = output.locator('[data-testid="attribution"][data-state="done"][data-kind="image"] canvas').first();
    await heatmap.waitFor({ timeout: 60_000 });
    const painted = await heatmap.evaluate((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return colours.size;
    });
    assert.ok(painted > 8, `the heatmap canvas has ${painted} colours`);

    // the kernel holds the same results as tensors
    const printed = await page.evaluate(async () => {
      const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
      const code = 'r = widget.results\nprint(len(r), r[0].method, tuple(r.tensor().shape))\nwidget.height = 640';
      const future = kernel.requestExecute({ code });
      let text = '';
      future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') text += msg.content.text; };
      await future.done;
      return text;
    });
    assert.match(printed, /^\d+ IntegratedGradients \(\d+, 16, 16\)/);
    const box = output.locator('.insights-widget');
    await waitFor(async () => Math.round((await box.boundingBox())?.height ?? 0) === 640, 'widget.height = 640 to apply');

    // a long run streams progress to the widget's bar, and Cancel stops it in the kernel
    await runInKernel(page, SLOW_MODEL);
    const form = output.getByRole('group', { name: 'IntegratedGradients', exact: true });
    await form.getByLabel('n_steps', { exact: true }).fill('500');
    await form.getByLabel('n_steps', { exact: true }).blur();
    await form.getByLabel('internal_batch_size', { exact: true }).fill('4');
    await form.getByLabel('internal_batch_size', { exact: true }).blur();
    await output.getByRole('button', { name: 'Run', exact: true }).click();
    const bar = output.getByRole('progressbar').first();
    const seen = new Set();
    for (const deadline = Date.now() + 30_000; seen.size < 2 && Date.now() < deadline; await delay(50)) {
      const value = Number(await bar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => null));
      if (value > 0 && value < 100) seen.add(value);
    }
    assert.ok(seen.size >= 2, `the progress bar did not move: ${[...seen]}`);
    await output.getByRole('button', { name: 'Cancel', exact: true }).click();
    await output.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 10_000 });
    await output.getByRole('progressbar').waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await output.locator('[data-testid="attribution"][data-state="done"]').count(), 0,
      'the cancelled run finished anyway');

    // Ctrl+Enter (the notebook's "run cell", the dashboard's Fetch) fetches only from inside the dashboard
    const ctrlEnter = { key: 'Enter', ctrlKey: true, bubbles: true, composed: true };
    await page.evaluate((init) => document.body.dispatchEvent(new KeyboardEvent('keydown', init)), ctrlEnter);
    await delay(1000);
    assert.equal(await output.getByRole('progressbar').count(), 0, 'Ctrl+Enter outside the widget started a run');
    await fetchButton.dispatchEvent('keydown', ctrlEnter);
    await output.getByRole('progressbar').first().waitFor({ timeout: 10_000 });
    await output.getByRole('button', { name: 'Cancel', exact: true }).click();
    await output.getByRole('progressbar').waitFor({ state: 'detached', timeout: 10_000 });
    await runInKernel(page, PLAIN_MODEL);
    await form.getByLabel('n_steps', { exact: true }).fill('50');
    await form.getByLabel('n_steps', { exact: true }).blur();

    // an image of the user's own (here: a screenshot of the first input picture) is attributed too
    const picture = await output.locator('[data-testid="example-card"] img').first().screenshot();
    await output.getByText('Your own input', { exact: true }).click();
    await output.getByLabel('Image for digit (drop a file here or pick one)')
      .setInputFiles({ name: 'mine.png', mimeType: 'image/png', buffer: picture });
    await output.getByRole('button', { name: 'Attribute my input', exact: true }).click();
    await output.getByRole('article', { name: 'Your input' })
      .locator('[data-testid="attribution"][data-state="done"][data-kind="image"] canvas').waitFor({ timeout: 30_000 });
  } finally {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, screenshotName), fullPage: true }).catch(() => undefined);
  }
  assert.deepEqual(consoleErrors.filter((e) => /insights|anywidget|TransportError/i.test(e)), []);
  await browser.close();
}

test('the dashboard widget in JupyterLab: heatmap, results in the kernel, progress, cancel, upload', { timeout: 240_000 },
  () => widgetScenario('jupyterlab', 'lab/tree/', 'jupyterlab-widget.png'));

test('the dashboard widget in Notebook 7: heatmap, results in the kernel, progress, cancel, upload', { timeout: 240_000 },
  () => widgetScenario('notebook', 'notebooks/', 'notebook7-widget.png'));
