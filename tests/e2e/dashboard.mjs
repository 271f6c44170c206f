// How the end-to-end test and the benchmark operate the dashboard: every selector lives here.
// The front end's selector contract: a "Workspace" select, method checkboxes and parameter inputs
// labelled by name, "Fetch"/"Cancel"/"Retry" buttons, data-testid="example-card" per example,
// data-testid="attribution" panels with data-state (partial|done) and data-kind
// (image|text|timeseries|general), role="progressbar" with aria-valuenow/max, role="alert" for
// errors, and data-ready="true" once the app has loaded. As built: the workspace select is found
// by role (combobox "Workspace"); checkboxes sit in the fieldsets "Methods" and "Models" (the
// latter only with several models); each method's parameters in a fieldset named after the
// method; aria-valuenow is a percentage; after Cancel a status says "Cancelled: ..." and a
// cancelled job's streamed panels keep data-state="cancelled"; each panel's footer has the buttons
// PNG / JSON / CSV / Copy as Python; each example's classes are buttons "Explain <class> for example
// <n>"; on a narrow screen the settings fold behind "Show settings" and the run row stays in view.
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const PANEL = '[data-testid="attribution"]';
const CARD = '[data-testid="example-card"]';

// Injected before the app's scripts: records every progress value shown and when the app became
// ready (ms since navigation), so short jobs whose bar is visible for a few frames are still seen.
function recorder() {
  const seen = { progress: [], readyAt: null, partial: 0 };
  window.__e2e = seen;
  const record = () => {
    if (seen.readyAt === null && document.querySelector('[data-ready="true"]')) seen.readyAt = performance.now();
    seen.partial = Math.max(seen.partial, document.querySelectorAll('[data-testid="attribution"][data-state="partial"]').length);
    for (const bar of document.querySelectorAll('[role="progressbar"]')) {
      const now = bar.getAttribute('aria-valuenow');
      const max = bar.getAttribute('aria-valuemax');
      const last = seen.progress[seen.progress.length - 1];
      if (now !== null && (!last || last.now !== Number(now) || last.max !== Number(max))) {
        seen.progress.push({ now: Number(now), max: Number(max), t: performance.now() });
      }
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['aria-valuenow', 'aria-valuemax', 'data-ready', 'data-state', 'role'],
  });
}

/** A page (fresh unless given) on the server's URL with its token, once the app says it is ready;
 * `page.runsSent` counts the Socket.IO "run" events it sends. */
export async function open(browser, server, { viewport, page = undefined, url = server.url } = {}) {
  page ??= await h.openPage(browser, viewport);
  await page.addInitScript(recorder);
  countRunRequests(page);
  await page.goto(url);
  page.setDefaultTimeout(10_000);
  await page.locator('[data-ready="true"]').first().waitFor({ timeout: 15_000 });
  return page;
}

export async function chooseWorkspace(page, name) {
  const select = page.getByRole('combobox', { name: 'Workspace', exact: true });
  if (await select.inputValue() === name) return;
  const described = page.waitForResponse((r) => r.url().includes(`/api/w/${name}/info`));
  await select.selectOption(name);
  await described;
  await page.locator('[data-ready="true"]').first().waitFor();
}

/** Tick exactly the checkboxes named `names` in the fieldset `group` ("Methods", "Models"). */
async function tickOnly(page, group, names) {
  const fieldset = page.getByRole('group', { name: group, exact: true });
  for (const name of names) {
    const box = fieldset.getByRole('checkbox', { name, exact: true, includeHidden: true });
    // a method family folded away (layer, neuron) is opened first
    if (!(await box.isVisible())) await box.locator('xpath=ancestor::details[1]/summary').click();
    await box.check();
  }
  for (const box of await fieldset.getByRole('checkbox').all()) {
    const name = await box.evaluate((el) => el.labels?.[0]?.textContent?.trim());
    if (!names.includes(name) && await box.isChecked()) await box.uncheck();
  }
}

export const chooseMethods = (page, names) => tickOnly(page, 'Methods', names);
export const chooseModels = (page, names) => tickOnly(page, 'Models', names);

/** Type into the input labelled `name`, inside the group of `method` when given. */
export async function setParam(page, name, value, method = null) {
  const scope = method ? page.getByRole('group', { name: method, exact: true }) : page;
  const input = scope.getByLabel(name, { exact: true });
  await input.fill(String(value));
  await input.blur();
}

/** How many examples a Fetch shows. */
export async function setExampleCount(page, count) {
  await setParam(page, 'Number of examples', count);
}

export async function fetchExamples(page) {
  await page.getByRole('button', { name: 'Fetch', exact: true }).click();
}

/** Type a text of one's own for `feature` and attribute it with the chosen methods. */
export async function attributeOwnText(page, feature, text) {
  const box = page.getByLabel(`Text for ${feature}`, { exact: true });
  if (!(await box.isVisible())) await page.getByText('Your own input', { exact: true }).click();
  await box.fill(text);
  await page.getByRole('button', { name: 'Attribute my input', exact: true }).click();
}

/** Wait for the example cards; resolves with their number. */
export async function waitForCards(page, { timeoutMs = 20_000 } = {}) {
  await page.locator(CARD).first().waitFor({ timeout: timeoutMs });
  return page.locator(CARD).count();
}

/** Wait until `count` panels of `kind` are in `state` ("done", or "partial" while streaming). */
export async function waitForPanels(page, { kind, count, state = 'done', timeoutMs = 30_000 }) {
  const panels = page.locator(`${PANEL}[data-kind="${kind}"][data-state="${state}"]`);
  await h.waitUntil(async () => (await panels.count()) >= count,
    { timeoutMs, what: `${count} ${kind} panels in state ${state}` });
}

/** Every panel of `kind` in `state` draws its heatmap: a canvas of more than one colour. */
export async function assertPainted(page, kind, state = 'done') {
  const colours = await page.locator(`${PANEL}[data-kind="${kind}"][data-state="${state}"] canvas`).evaluateAll(
    (canvases) => canvases.map((c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return seen.size;
    }));
  assert.ok(colours.length > 0, `no canvas in the ${kind} panels`);
  for (const n of colours) assert.ok(n > 1, 'a heatmap canvas is blank');
}

/** Every finished panel of `kind` shows several colours (token backgrounds, band fills). */
export async function assertColoured(page, kind) {
  const colours = await page.locator(`${PANEL}[data-kind="${kind}"][data-state="done"]`).evaluateAll(
    (panels) => panels.map((panel) => {
      const seen = new Set();
      for (const el of panel.querySelectorAll('*')) {
        seen.add(getComputedStyle(el).backgroundColor);
        if (el.getAttribute('fill')) seen.add(el.getAttribute('fill'));
      }
      return seen.size;
    }));
  assert.ok(colours.length > 0, `no finished ${kind} panel`);
  for (const n of colours) assert.ok(n > 3, `a ${kind} panel shows only ${n} colours`);
}

/** How many panels were seen streaming (data-state="partial") at once, at most. */
export async function partialSeen(page) {
  return page.evaluate(() => window.__e2e.partial);
}

/** The progress values shown so far; asserts a bar was shown (a short job may finish before it
 * moves: waitForProgressMoving checks the movement on long jobs). */
export async function assertProgressSeen(page) {
  const seen = await page.evaluate(() => window.__e2e.progress);
  assert.ok(seen.length >= 1, 'no progress bar with aria-valuenow was shown');
  return seen;
}

/** Wait until the progress bar has shown at least two distinct values below the maximum. */
export async function waitForProgressMoving(page, { timeoutMs = 20_000 } = {}) {
  return h.waitUntil(async () => {
    const seen = await page.evaluate(() => window.__e2e.progress);
    const running = seen.filter((p) => p.now > 0 && p.now < p.max);
    return new Set(running.map((p) => p.now)).size >= 2 && running;
  }, { timeoutMs, what: 'the progress bar to move' });
}

export async function progressValue(page) {
  const bar = page.getByRole('progressbar');
  return (await bar.count()) ? bar.first().getAttribute('aria-valuenow') : null;
}

/** Count the Socket.IO "run" events the page sends (from before it loads). */
function countRunRequests(page) {
  page.runsSent = 0;
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => {
    if (typeof payload === 'string' && /^42\d*\["run"/.test(payload)) page.runsSent += 1;
  }));
}

/** Whether the page has requested Plotly's bundle (it should load only when a chart needs it). */
export async function plotlyLoaded(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').some((e) => /plotly/i.test(e.name)));
}

/** Wait until no job runs: the progress bar is gone. */
export async function waitForIdle(page, { timeoutMs = 5_000 } = {}) {
  await page.getByRole('progressbar').waitFor({ state: 'detached', timeout: timeoutMs });
}

/** Choose what to explain: "default", "predicted", "label" or "class" (with `className`). */
export async function chooseTarget(page, kind, className = null) {
  await page.getByRole('combobox', { name: 'Explain', exact: true }).selectOption(kind);
  if (className !== null) await page.getByRole('combobox', { name: 'Class', exact: true }).selectOption(className);
}

/** The attribution panels of `method` (finished ones unless `state` says otherwise). */
export function panels(page, method, state = 'done') {
  return page.locator(`${PANEL}[data-method="${method}"][data-state="${state}"]`);
}

/** Click a panel's download button (PNG, JSON, CSV); resolves with { name, path } of the file. */
export async function download(panel, button) {
  const [file] = await Promise.all([
    panel.page().waitForEvent('download'),
    panel.getByRole('button', { name: button, exact: true }).click(),
  ]);
  return { name: file.suggestedFilename(), path: await file.path() };
}

/** The script "Copy as Python" puts on the clipboard. */
export async function copyPython(panel) {
  await panel.getByRole('button', { name: 'Copy as Python', exact: true }).click();
  await panel.getByRole('button', { name: 'Copied', exact: true }).waitFor();
  return panel.page().evaluate(() => navigator.clipboard.readText());
}

/** Whether `locator` is fully inside the viewport now. */
export async function inView(page, locator) {
  const box = await locator.boundingBox();
  const { height, width } = page.viewportSize();
  return !!box && box.y >= 0 && box.x >= 0 && box.y + box.height <= height && box.x + box.width <= width;
}

/** Open the Dataset tab, and start a data-set job named `name` over `limit` examples with the
 * method (and arguments) chosen in the sidebar; resolves once its row says "done". */
export async function runDatasetJob(page, name, limit, { timeoutMs = 60_000 } = {}) {
  await page.getByRole('tab', { name: 'Dataset', exact: true }).click();
  await page.getByLabel('Job name', { exact: true }).fill(name);
  await page.getByLabel('Examples (at most)', { exact: true }).fill(String(limit));
  await page.getByRole('button', { name: 'Start data-set job', exact: true }).click();
  const row = page.locator('table.jobs tr').filter({ has: page.getByRole('button', { name, exact: true }) });
  await h.waitUntil(async () => (await row.locator('td').nth(3).textContent()) === 'done',
    { timeoutMs, what: `data-set job ${name} to finish` });
  return row;
}
