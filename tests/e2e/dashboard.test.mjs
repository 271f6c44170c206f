// End-to-end test of the dashboard: the example server and a server with a failing model, driven
// through the built front end in headless Chromium. Screenshots go to tests/e2e/artifacts/.
// Run: npm --prefix tests/e2e test  (or: node --test tests/e2e/dashboard.test.mjs)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as h from './harness.mjs';
import * as ui from './dashboard.mjs';

describe('Insights dashboard in Chromium', { timeout: 170_000 }, () => {
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

  it('loads with its token, and refuses a page without it', async () => {
    const page = await ui.open(browser, examples);
    await h.screenshot(page, '01-first-view');
    assert.deepEqual(page.problems, []);
    const bare = await h.openPage(browser);
    const response = await bare.goto(`${examples.origin}/api/workspaces`);
    assert.equal(response.status(), 401);
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
    await page.setViewportSize({ width: 420, height: 800 });
    await h.screenshot(page, '03-digits-narrow');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `at 420 px the page scrolls sideways by ${overflow} px`);
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
    await ui.attributeOwnText(page, 'review', 'a wonderful film with a truly great cast');
    const own = page.getByTestId('example-card').filter({ hasText: 'wonderful' });
    await h.waitUntil(async () => (await own.locator('[data-testid="attribution"][data-state="done"]').count()) === 2,
      { what: 'both methods on the typed text' });
    await h.screenshot(page, '05-sentiment-own-text');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it('draws attribution bands on time series, a zoomable Plotly chart on demand, and keeps the settings in the URL', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'signals');
    await ui.chooseMethods(page, ['IntegratedGradients', 'Occlusion']);
    await ui.fetchExamples(page);
    const cards = await ui.waitForCards(page);
    await ui.waitForPanels(page, { kind: 'timeseries', count: cards * 2 });
    await ui.assertColoured(page, 'timeseries');
    await ui.assertProgressSeen(page);
    await h.screenshot(page, '06-signals-ig-occlusion');
    assert.deepEqual(page.problems, []);
    assert.equal(await ui.plotlyLoaded(page), false, 'Plotly was loaded before a chart needed it');
    await page.getByRole('button', { name: 'Zoomable chart', exact: true }).first().click();
    await page.locator('.plotly-chart .main-svg').first().waitFor({ timeout: 20_000 });
    assert.ok(await ui.plotlyLoaded(page));
    await h.screenshot(page, '07-signals-zoomable-chart');
    await page.reload();
    await page.locator('[data-ready="true"]').first().waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Workspace', exact: true }).inputValue(), 'signals');
    const methods = page.getByRole('group', { name: 'Methods', exact: true });
    assert.ok(await methods.getByRole('checkbox', { name: 'Occlusion', exact: true }).isChecked());
    await page.context().close();
  });

  it('streams a long perturbation job\'s partial heatmaps, and cancels it', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'shapes');
    await ui.chooseMethods(page, ['FeatureAblation']);
    await ui.fetchExamples(page);
    await ui.waitForCards(page);
    const moving = await ui.waitForProgressMoving(page);
    assert.ok(moving.length >= 2);
    await ui.waitForPanels(page, { kind: 'image', count: 1, state: 'partial' });
    await ui.assertPainted(page, 'image', 'partial');
    await h.screenshot(page, '08-shapes-streaming');
    const cancelledAt = Date.now();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 5_000 });
    await ui.waitForIdle(page);
    const stopSeconds = (Date.now() - cancelledAt) / 1000;
    await h.screenshot(page, '09-shapes-cancelled');
    assert.ok(stopSeconds < 2, `the job took ${stopSeconds} s to stop after Cancel`);
    const streamed = await ui.partialSeen(page);
    await h.delay(1000);
    assert.equal(await page.locator('[data-testid="attribution"][data-state="done"]').count(), 0);
    assert.equal(await page.getByRole('progressbar').count(), 0, 'a progress bar came back after Cancel');
    assert.ok(streamed >= 1);
    await page.context().close();
  });

  it('cancels a long gradient job', async () => {
    const page = await ui.open(browser, examples);
    await ui.chooseWorkspace(page, 'shapes');
    await ui.chooseMethods(page, ['IntegratedGradients']);
    await ui.setParam(page, 'n_steps', '2000', 'IntegratedGradients');
    await ui.setExampleCount(page, 16); // long enough to still run when Cancel is pressed on a fast machine
    await ui.fetchExamples(page);
    assert.equal(await ui.waitForCards(page), 16);
    await ui.waitForProgressMoving(page);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 5_000 });
    await ui.waitForIdle(page);
    await h.delay(500);
    assert.equal(await page.locator('[data-testid="attribution"]').count(), 0);
    await page.context().close();
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
