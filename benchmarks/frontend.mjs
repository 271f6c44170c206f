// Front-end numbers in headless Chromium, on the example digits model (cache off):
//  - bundle: gzip size of the JS and CSS the first view requests (until the network is idle after
//    the app is ready: chunks loaded right after load count, those loaded on demand do not);
//  - load → interactive: navigation start to data-ready="true";
//  - Fetch → first heatmap / all four: IntegratedGradients, n_steps 50, on 4 images, from the
//    click on Fetch to the first and to the fourth finished image panel.
// Median (and fastest) of --repeats runs after one warm-up run. Prints a table; writes
// benchmarks/results/frontend.json. Needs the built front end (pip install -e .) and
// tests/e2e's node_modules (npm --prefix tests/e2e ci).
//
//     node benchmarks/frontend.mjs [--repeats 7]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as h from '../tests/e2e/harness.mjs';
import * as ui from '../tests/e2e/dashboard.mjs';

const TARGETS = { bundle_gzip_kb: 150, load_to_interactive_s: 0.5, fetch_to_first_heatmap_s: 0.5 };
const CAPTUM_INSIGHTS = { bundle_gzip_kb: 131, load_to_interactive_s: 0.66, fetch_to_all_heatmaps_s: 1.8 };
const IMAGES = 4;

const round = (x) => Number(x.toFixed(3));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Load the page; returns the JS/CSS it requested before it was ready and the time to ready. */
async function load(browser, server) {
  const page = await h.openPage(browser);
  const assets = [];
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type === 'script' || type === 'stylesheet') assets.push({ url: response.url(), type, response });
  });
  const opened = await ui.open(browser, server, { page });
  const readyAt = await opened.evaluate(() => window.__e2e.readyAt);
  await opened.waitForLoadState('networkidle'); // chunks the first view loads just after it is ready
  const firstView = await Promise.all(assets.map(async (a) => {
    const body = await a.response.body();
    return { path: new URL(a.url).pathname, type: a.type, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  }));
  return { page: opened, readyS: readyAt / 1000, firstView };
}

/** Click Fetch inside the page and time the first and the IMAGES-th finished image panel. */
async function fetchTimes(page) {
  return page.evaluate((count) => new Promise((resolve, reject) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Fetch');
    if (!button) { reject(new Error('no Fetch button')); return; }
    const panels = () => document.querySelectorAll('[data-testid="attribution"][data-kind="image"][data-state="done"]').length;
    let cards = null;
    let first = null;
    const start = performance.now();
    const observer = new MutationObserver(() => {
      const now = performance.now() - start;
      if (cards === null && document.querySelectorAll('[data-testid="example-card"]').length >= count) cards = now;
      const n = panels();
      if (n >= 1 && first === null) first = now;
      if (n >= count) {
        observer.disconnect();
        clearTimeout(timer);
        resolve({ cards: cards / 1000, first: first / 1000, all: now / 1000 });
      }
    });
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`only ${panels()} panels after 30 s`)); }, 30_000);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    button.click();
  }), IMAGES);
}

async function run(browser, server) {
  const { page, readyS, firstView } = await load(browser, server);
  await ui.chooseWorkspace(page, 'digits');
  await ui.chooseMethods(page, ['IntegratedGradients']);
  await ui.setParam(page, 'n_steps', '50', 'IntegratedGradients');
  await ui.setExampleCount(page, IMAGES);
  const times = await fetchTimes(page);
  await page.context().close();
  return { readyS, firstView, ...times };
}

async function main() {
  const { values } = parseArgs({ options: { repeats: { type: 'string', default: '7' } } });
  const repeats = Number(values.repeats);
  const server = await h.startExampleServer(['digits']);
  try {
    const browser = await h.launchBrowser();
    await run(browser, server); // warm-up: the data set is generated and the model loaded on first use
    const runs = [];
    for (let i = 0; i < repeats; i += 1) runs.push(await run(browser, server));
    const firstView = runs[0].firstView;
    const stat = (key) => ({ median: round(median(runs.map((r) => r[key]))), min: round(Math.min(...runs.map((r) => r[key]))) });
    const times = { load: stat('readyS'), cards: stat('cards'), first: stat('first'), all: stat('all') };
    const report = {
      bundle_gzip_kb: Number((firstView.reduce((s, a) => s + a.gzip, 0) / 1024).toFixed(1)),
      bundle_raw_kb: Number((firstView.reduce((s, a) => s + a.bytes, 0) / 1024).toFixed(1)),
      first_view_assets: firstView.map(({ path: p, type, bytes, gzip }) => ({ path: p, type, bytes, gzip })),
      load_to_interactive_s: times.load.median,
      fetch_to_examples_shown_s: times.cards.median,
      fetch_to_first_heatmap_s: times.first.median,
      fetch_to_all_heatmaps_s: times.all.median,
      fastest_run: { load_to_interactive_s: times.load.min, fetch_to_examples_shown_s: times.cards.min,
        fetch_to_first_heatmap_s: times.first.min, fetch_to_all_heatmaps_s: times.all.min },
      runs: runs.map((r) => ({ load_to_interactive_s: round(r.readyS), fetch_to_examples_shown_s: round(r.cards),
        fetch_to_first_heatmap_s: round(r.first), fetch_to_all_heatmaps_s: round(r.all) })),
      load_average: os.loadavg().map(round),
      cpus: os.cpus().length,
      setup: `IntegratedGradients n_steps 50 on ${IMAGES} digits images, cache off; gzip level 9; ` +
        `median of ${repeats} runs after a warm-up; headless Chromium (${h.CHROMIUM})`,
      targets: TARGETS,
      captum_insights_reference: CAPTUM_INSIGHTS,
    };
    const rows = [
      ['bundle of the first view (gzip, kB)', report.bundle_gzip_kb, '', TARGETS.bundle_gzip_kb, CAPTUM_INSIGHTS.bundle_gzip_kb],
      ['page load to interactive (s)', times.load.median, times.load.min, TARGETS.load_to_interactive_s, CAPTUM_INSIGHTS.load_to_interactive_s],
      [`Fetch to ${IMAGES} examples shown (s)`, times.cards.median, times.cards.min, '-', '-'],
      ['Fetch to first heatmap (s)', times.first.median, times.first.min, TARGETS.fetch_to_first_heatmap_s, '-'],
      [`Fetch to all ${IMAGES} heatmaps (s)`, times.all.median, times.all.min, '-', CAPTUM_INSIGHTS.fetch_to_all_heatmaps_s],
    ];
    console.log(['measure', 'ours (median)', 'ours (fastest)', 'target', 'Captum Insights'].join(' | '));
    for (const row of rows) console.log(row.join(' | '));
    const out = path.join(h.ROOT, 'benchmarks', 'results', 'frontend.json');
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${path.relative(h.ROOT, out)}`);
  } finally {
    await h.stopAll();
  }
}

await main();
