// End-to-end test of the dashboard: the example server and a server with a failing and a slow
// model, driven through the built front end in headless Chromium. Screenshots go to
// tests/e2e/artifacts/, and those of the user guide to docs/user-guide-*.png.
// Run: npm --prefix tests/e2e test  (or: node --test tests/e2e/dashboard.test.mjs)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as h from './harness.mjs';
import * as ui from './dashboard.mjs';

describe('Insights dashboard in Chromium', { timeout: 420_000 }, () => {
  let examples, failing, browser;

  before(async () => {
    h.requireBuiltFrontEnd();
    [examples, failing, browser] = await Promise.all([
      h.startExampleServer(), h.startFailingServer(), h.launchBrowser(),
    ]);
  });

  after(async () => {
    await h.stopAll();
    h.saveLogs({ 'insights-example': examples, 'failing-server': failing });
  });

  it('loads with its token; without it, the API refuses and the page says how to get the link', async () => {
    const page = await ui.open(browser, examples);
    await h.screenshot(page, '01-first-view');
    assert.deepEqual(page.problems, []);
    const bare = await h.openPage(browser);
    const response = await bare.goto(`${examples.origin}/api/workspaces`);
    assert.equal(response.status(), 401);
    const home = await bare.goto(`${examples.origin}/`);
    assert.equal(home.status(), 401);
    assert.match(home.headers()['content-type'], /text\/html/);
    await bare.getByRole('heading', { name: 'Insights needs its access link' }).waitFor();
    assert.match(await bare.locator('body').textContent(), /\?token=/);
    await bare.context().close();
    await page.context().close();
  });

  it('shows IntegratedGradients and Occlusion heatmaps for images, with progress', async (t) => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'digits');
    await ui.chooseMethods(page, ['IntegratedGradients', 'Occlusion']);
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'image', count: cards * 2 });
    await ui.assertPainted(page, 'image');
    await page.getByText(/≈ [\d,]+ passes/).waitFor(); // the cost estimate, beside Run
    const progress = await ui.assertProgressSeen(page);
    t.diagnostic(`progress values shown: ${progress.map((p) => p.now).join(' ')}; ` +
      `panels seen streaming at once: ${await ui.partialSeen(page)}`);
    await h.screenshot(page, '02-digits-ig-occlusion');
    await h.docsScreenshot(page, 'user-guide-examples');
    assert.deepEqual(page.problems, []);
    await page.setViewportSize({ width: 420, height: 800 });
    await h.screenshot(page, '03-digits-narrow');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `at 420 px the page scrolls sideways by ${overflow} px`);
    // the run controls stay reachable at 420 px: in view at the top and at the bottom of the page
    const fetch = page.getByRole('button', { name: 'Fetch', exact: true });
    assert.ok(await ui.inView(page, fetch), 'Fetch is out of view at 420 px');
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await h.delay(100);
    assert.ok(await ui.inView(page, fetch), 'Fetch is out of view at the bottom of the page at 420 px');
    await h.screenshot(page, '03b-digits-narrow-bottom');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it('at 420 px starts with the settings folded and Fetch in view, and unfolds them', async () => {
    const page = await ui.open(browser, examples, { viewport: { width: 420, height: 800 } });
    await ui.chooseWorkspace(page, 'digits');
    const fetch = page.getByRole('button', { name: 'Fetch', exact: true });
    assert.ok(await ui.inView(page, fetch), 'Fetch is out of view at 420 px');
    const methods = page.getByRole('group', { name: 'Methods', exact: true });
    assert.equal(await methods.isVisible(), false, 'the settings are not folded at 420 px');
    await page.getByRole('button', { name: 'Show settings', exact: true }).click();
    await methods.waitFor();
    await ui.chooseMethods(page, ['Saliency']);
    assert.ok(await ui.inView(page, fetch));
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'image', count: cards });
    // Fetch folds the settings again, so the results are what is in view
    assert.equal(await methods.isVisible(), false, 'the settings stay unfolded after Fetch');
    assert.ok(await ui.inView(page, page.getByTestId('example-card').first().getByRole('heading')));
    await h.screenshot(page, '03c-narrow-folded');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it('exports a panel at its on-screen size with a colour bar, JSON named by place and method (an RGB image with its channels), and a Python script that reproduces it', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'digits');
    await ui.chooseMethods(page, ['IntegratedGradients']);
    await ui.fetchExamples(page);
    await ui.waitForCards(page);
    const panel = ui.panels(page, 'IntegratedGradients').first();
    await panel.waitFor({ timeout: 30_000 });
    const png = await ui.download(panel, 'PNG');
    assert.match(png.name, /^example\d+_IntegratedGradients_DigitsCNN_target-\w+\.png$/);
    const size = h.pngSize(png.path);
    assert.ok(size.width >= 240 && size.height > 240, `the PNG is ${size.width}x${size.height}, smaller than drawn`);
    const json = await ui.download(panel, 'JSON');
    assert.match(json.name, /^example\d+_IntegratedGradients_DigitsCNN_target-\w+\.json$/);
    const exported = JSON.parse(readFileSync(json.path, 'utf8'));
    const script = await ui.copyPython(panel);
    assert.match(script, /from insights\.snippets import load_example/);
    const printed = (await h.runPython(script)).trim().split('\n').map((line) => line.split(' ').at(-1)).map(Number);
    const total = exported.features[0].total;
    assert.ok(Math.abs(printed[0] - total) <= 1e-4 * Math.max(1, Math.abs(total)),
      `the script gives ${printed[0]}, the dashboard ${total}`);
    // an RGB image's export keeps its channels
    await ui.chooseWorkspace(page, 'shapes');
    await ui.chooseMethods(page, ['Saliency']);
    await ui.fetchExamples(page);
    await ui.waitForCards(page);
    const rgb = ui.panels(page, 'Saliency').first();
    await rgb.waitFor({ timeout: 30_000 });
    const channels = JSON.parse(readFileSync((await ui.download(rgb, 'JSON')).path, 'utf8'));
    assert.deepEqual(channels.features[0].attribution.shape, [3, 32, 32]);
    await page.context().close();
  });

  it('scores faithfulness on a 0-1 scale, and re-attributes one example to the class chosen on its card', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'digits');
    await ui.chooseMethods(page, ['Saliency']);
    await page.getByLabel('faithfulness scores (deletion AUC, infidelity)').check();
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'image', count: cards });
    const aucs = (await page.locator('[data-testid="attribution"]').getByText(/deletion AUC/).allTextContents())
      .map((t) => Number(/deletion AUC (\S+)/.exec(t)?.[1]));
    assert.equal(aucs.length, cards);
    assert.ok(aucs.every((v) => v >= 0 && v <= 1), `deletion AUCs outside 0-1: ${aucs}`);
    await page.getByText('(0–1, lower is better)').first().waitFor();
    const card = page.getByTestId('example-card').first();
    const sent = page.runsSent;
    await card.getByRole('combobox', { name: /Explain a class for example/ }).selectOption('3');
    await h.waitUntil(async () => (await card.locator('[data-testid="attribution"][data-state="done"]').filter({ hasText: 'target 3' }).count()) === 1,
      { what: 'the first example attributed to class 3' });
    assert.equal(page.runsSent, sent + 1, 'one run, for that example only');
    assert.equal(await page.locator('[data-testid="attribution"][data-state="done"]').count(), cards);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it('runs a neuron method with its defaults: a neuron that exists in the chosen layer', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'digits');
    await ui.chooseMethods(page, ['NeuronGradient']);
    assert.equal(await page.getByRole('combobox', { name: 'Layer', exact: true }).inputValue(), 'conv2');
    const indices = page.getByRole('spinbutton', { name: /Neuron index/ });
    assert.equal(await indices.count(), 3); // conv2's output is (32, 8, 8)
    assert.equal(await indices.first().getAttribute('max'), '31');
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'image', count: cards });
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it('after a switch from digits with class 8 to sentiment, says the class fell back and keeps Fetch usable', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'digits');
    await ui.chooseTarget(page, 'class', '8');
    await h.waitUntil(() => page.url().includes('class=8'), { what: 'class=8 in the URL' });
    await ui.chooseWorkspace(page, 'sentiment');
    await page.getByRole('status').filter({ hasText: '"8" is not a class of sentiment' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Explain', exact: true }).inputValue(), 'default');
    assert.ok(!page.url().includes('class='), `the URL still names the class: ${page.url()}`);
    const fetch = page.getByRole('button', { name: 'Fetch', exact: true });
    assert.ok(await fetch.isEnabled(), 'Fetch is disabled after the switch');
    assert.ok(await ui.inView(page, fetch), 'Fetch is below the fold');
    // an invalid choice is highlighted and explained beside Fetch
    await ui.chooseTarget(page, 'class');
    assert.equal(await page.getByRole('combobox', { name: 'Class', exact: true }).getAttribute('aria-invalid'), 'true');
    assert.ok(await ui.inView(page, page.getByText('Fetch needs:')));
    assert.ok(!(await fetch.isEnabled()));
    await ui.chooseTarget(page, 'class', 'positive');
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'text', count: cards });
    assert.equal(await page.locator('[data-testid="attribution"]').filter({ hasText: 'target positive' }).count(), cards);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it('colours the tokens of a text model (fetched with Ctrl+Enter), and of a typed text', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'sentiment');
    await ui.chooseMethods(page, ['IntegratedGradients', 'Occlusion']);
    await page.keyboard.press('Control+Enter');
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'text', count: cards * 2 });
    await ui.assertColoured(page, 'text');
    await ui.assertProgressSeen(page);
    await h.screenshot(page, '04-sentiment-ig-occlusion');
    await h.docsScreenshot(page, 'user-guide-text');
    assert.equal(await page.getByLabel('Display', { exact: true }).count(), 0, 'Display is offered for text');
    assert.equal(await page.getByLabel('Alpha', { exact: true }).count(), 0, 'Alpha is offered for text');
    await ui.attributeOwnText(page, 'review', 'a wonderful film with a truly great cast');
    const own = page.getByTestId('example-card').filter({ hasText: 'wonderful' });
    await h.waitUntil(async () => (await own.locator('[data-testid="attribution"][data-state="done"]').count()) === 2,
      { what: 'both methods on the typed text' });
    await h.screenshot(page, '05-sentiment-own-text');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it('draws attribution bands on time series, a zoomable Plotly chart on demand, and a shared link reopens the view in a fresh browser', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'signals');
    await ui.chooseMethods(page, ['IntegratedGradients', 'Occlusion']);
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'timeseries', count: cards * 2 });
    await ui.assertColoured(page, 'timeseries');
    await ui.assertProgressSeen(page);
    await h.screenshot(page, '06-signals-ig-occlusion');
    await h.docsScreenshot(page, 'user-guide-series');
    assert.deepEqual(page.problems, []);
    assert.equal(await ui.plotlyLoaded(page), false, 'Plotly was loaded before a chart needed it');
    await page.getByRole('button', { name: 'Zoomable chart', exact: true }).first().click();
    await page.locator('.plotly-chart .main-svg').first().waitFor({ timeout: 20_000 });
    assert.ok(await ui.plotlyLoaded(page));
    await h.screenshot(page, '07-signals-zoomable-chart');
    await page.getByLabel('Sign', { exact: true }).selectOption('positive');
    await page.getByLabel('Colormap', { exact: true }).selectOption('magma');
    await page.getByRole('button', { name: 'Next page', exact: true }).click();
    await h.waitUntil(async () => (await page.locator('.pager span').textContent()) === 'page 2', { what: 'page 2' });
    await ui.waitForIdle(page, { timeoutMs: 30_000 });
    const shared = page.url();
    await page.context().close();
    // a fresh profile (no cookie, no storage) opening the shared link gets the same view and results
    const fresh = await ui.open(browser, examples, { url: shared });
    assert.equal(await fresh.getByRole('combobox', { name: 'Workspace', exact: true }).inputValue(), 'signals');
    const methods = fresh.getByRole('group', { name: 'Methods', exact: true });
    assert.ok(await methods.getByRole('checkbox', { name: 'Occlusion', exact: true }).isChecked());
    assert.equal(await fresh.getByLabel('Sign', { exact: true }).inputValue(), 'positive');
    assert.equal(await fresh.getByLabel('Colormap', { exact: true }).inputValue(), 'magma');
    const again = await ui.waitForCards(fresh);
    assert.equal(again, cards);
    await h.waitUntil(async () => (await fresh.locator('.pager span').textContent()) === 'page 2', { what: 'page 2 reopened' });
    await ui.waitForPanels(fresh, { kind: 'timeseries', count: cards * 2 });
    assert.deepEqual(fresh.problems, []);
    await fresh.context().close();
  });

  // The slow model takes 0.05 s per example row on any machine (failing_server.py), and the batch
  // size is fixed (one perturbation or step per evaluation: 4 rows, 0.2 s): the jobs below last at
  // least 13 s (FeatureAblation) and 100 s (IntegratedGradients, 500 steps), report progress every
  // 0.2 s and can stop after any chunk, so Cancel is always pressed while they run, and what is
  // checked is the outcome, not a duration.
  it('streams a long perturbation job\'s partial heatmaps, and cancels it: they stay, marked cancelled', async () => {
    const page = await ui.open(browser, failing);
    await ui.chooseModels(page, ['SlowNet']);
    await ui.chooseMethods(page, ['FeatureAblation']);
    await ui.setParam(page, 'perturbations_per_eval', '1', 'FeatureAblation');
    await ui.fetchExamples(page);
    await ui.waitForCards(page);
    const moving = await ui.waitForProgressMoving(page, { timeoutMs: 30_000 });
    assert.ok(moving.length >= 2);
    await ui.waitForPanels(page, { kind: 'image', count: 1, state: 'partial' });
    await ui.assertPainted(page, 'image', 'partial');
    await h.screenshot(page, '08-slow-streaming');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 10_000 });
    await ui.waitForIdle(page);
    await h.screenshot(page, '09-slow-cancelled');
    const streamed = await ui.partialSeen(page);
    assert.ok(streamed >= 1);
    const cancelled = page.locator('[data-testid="attribution"][data-state="cancelled"]');
    assert.ok(await cancelled.count() >= 1, 'the streamed maps are gone or not marked cancelled');
    assert.equal(await cancelled.first().locator('.badge').textContent(), 'cancelled · partial');
    assert.equal(await page.getByText('streaming…').count(), 0, 'a map still says it is streaming');
    await h.delay(1000);
    assert.equal(await page.locator('[data-testid="attribution"][data-state="done"]').count(), 0);
    assert.equal(await page.getByRole('progressbar').count(), 0, 'a progress bar came back after Cancel');
    // the run, its banner and its maps belong to this workspace: another one starts clean
    await ui.chooseWorkspace(page, 'other');
    assert.equal(await page.getByRole('status').filter({ hasText: 'Cancelled' }).count(), 0, 'the Cancelled banner carried over');
    assert.equal(await page.locator('[data-testid="attribution"]').count(), 0);
    await page.context().close();
  });

  it('cancels a long gradient job', async () => {
    const page = await ui.open(browser, failing);
    await ui.chooseModels(page, ['SlowNet']);
    await ui.chooseMethods(page, ['IntegratedGradients']);
    await ui.setParam(page, 'n_steps', '500', 'IntegratedGradients');
    await ui.setParam(page, 'internal_batch_size', '4', 'IntegratedGradients');
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForProgressMoving(page, { timeoutMs: 30_000 });
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 10_000 });
    await ui.waitForIdle(page);
    await h.delay(500);
    assert.equal(await page.locator('[data-testid="attribution"][data-state="done"]').count(), 0);
    assert.equal(await page.getByTestId('example-card').count(), cards);
    await page.context().close();
  });

  it('summarises a data-set job, compares two, and reopens the Dataset tab from its link', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'digits');
    await ui.chooseMethods(page, ['Saliency']);
    await ui.runDatasetJob(page, 'saliency', 48);
    await page.getByRole('heading', { name: /^saliency/ }).waitFor();
    await page.locator('.class-maps canvas').first().waitFor();
    await h.docsScreenshot(page, 'user-guide-dataset');
    await ui.chooseMethods(page, ['IntegratedGradients']);
    await page.getByLabel('faithfulness scores (deletion AUC, infidelity)').check();
    await ui.runDatasetJob(page, 'integrated', 48);
    await page.getByRole('button', { name: 'integrated', exact: true }).click();
    await page.getByRole('heading', { name: /^integrated/ }).waitFor();
    // deletion AUC on the model's probability, as a share of the intact score: 0-1, labelled so
    await page.locator('ol.worst li').first().waitFor();
    const aucs = (await page.locator('ol.worst li').allTextContents()).map((t) => Number(/AUC (\S+)/.exec(t)?.[1]));
    assert.ok(aucs.length > 0 && aucs.every((v) => v >= 0 && v <= 1), `deletion AUCs outside 0-1: ${aucs}`);
    const bins = await page.getByRole('table', { name: 'deletion AUC distribution' }).locator('th').allTextContents();
    assert.ok(bins.every((b) => / to /.test(b) && !/--/.test(b)), `histogram labels: ${bins.join(' | ')}`);
    await page.getByLabel('Compare with job', { exact: true }).selectOption('saliency');
    await page.getByText(/Rank correlation of IntegratedGradients \(signed\) and Saliency \(absolute\)/).waitFor();
    await page.getByText(/One map is signed and the other absolute/).waitFor();
    await page.getByText('Method agreement').scrollIntoViewIfNeeded();
    await h.docsScreenshot(page, 'user-guide-comparison');
    assert.ok(page.url().includes('tab=dataset'));
    const shared = page.url();
    await page.context().close();
    const fresh = await ui.open(browser, examples, { url: shared });
    await fresh.getByRole('button', { name: 'integrated', exact: true }).waitFor();
    assert.equal(await fresh.getByRole('tab', { name: 'Dataset', exact: true }).getAttribute('aria-selected'), 'true');
    assert.deepEqual(fresh.problems, []);
    await fresh.context().close();
  });

  it('shows the server\'s message when a model raises, keeps the other model\'s results, and retries', async () => {
    const page = await ui.open(browser, failing);
    const runsSent = () => page.runsSent;
    await ui.chooseModels(page, ['WorkingNet', 'FailingNet']);
    await ui.chooseMethods(page, ['IntegratedGradients']);
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    const banner = page.getByRole('alert').filter({ hasText: 'FailingNet refuses to compute gradients' });
    await banner.waitFor({ timeout: 20_000 });
    await ui.waitForPanels(page, { kind: 'image', count: cards });
    assert.equal(await page.getByRole('region', { name: 'IntegratedGradients (FailingNet)' }).count(), 0);
    await h.screenshot(page, '10-failing-model-banner');
    assert.equal(runsSent(), 1);
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await h.waitUntil(() => runsSent() === 2, { what: 'Retry to send the run again' });
    await banner.waitFor({ timeout: 20_000 });
    await ui.chooseModels(page, ['WorkingNet']);
    await ui.fetchExamples(page);
    await banner.waitFor({ state: 'detached' });
    await h.waitUntil(() => runsSent() === 3, { what: 'Fetch to send a run' });
    await ui.waitForIdle(page, { timeoutMs: 20_000 });
    assert.equal(await page.getByRole('alert').count(), 0);
    await ui.waitForPanels(page, { kind: 'image', count: cards });
    await h.screenshot(page, '11-working-model-only');
    await page.context().close();
  });
});
