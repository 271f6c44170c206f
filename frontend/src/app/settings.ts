/**
 * What the user chose (workspace, models, methods, arguments, target, baselines, layer, filters),
 * and its round trip through the page's URL so a view can be bookmarked and shared.
 */
import type { RawArgs } from './params';
import { COLORMAPS, defaultColormap } from '../heatmap/colormap';
import { SIGNS, type Sign } from '../heatmap/normalize';
import { IMAGE_MODES, type ImageMode } from '../heatmap/paint';
import { DEFAULT_VIEW, type ViewSettings } from './view-settings';

export type TargetKind = 'default' | 'predicted' | 'label' | 'class';
export type PredictionFilter = 'all' | 'correct' | 'incorrect';

export interface Settings {
  workspace: string;
  models: number[];
  methods: string[];
  args: Record<string, RawArgs>;
  target: TargetKind;
  targetClass: string;
  baselines: Record<string, string>;
  layer: string;
  neuron: string;
  prediction: PredictionFilter;
  trueClasses: string[];
  predictedClasses: string[];
  pageSize: number;
  faithfulness: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  workspace: '',
  models: [0],
  methods: ['IntegratedGradients'],
  args: {},
  target: 'default',
  targetClass: '',
  baselines: {},
  layer: '',
  neuron: '0',
  prediction: 'all',
  trueClasses: [],
  predictedClasses: [],
  pageSize: 4,
  faithfulness: false,
};

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

export function readSettings(search: string): Settings {
  const q = new URLSearchParams(search);
  const s: Settings = { ...DEFAULT_SETTINGS, args: {}, baselines: {} };
  s.workspace = q.get('ws') ?? '';
  if (q.has('models')) s.models = list(q.get('models')).map(Number).filter(Number.isInteger);
  if (s.models.length === 0) s.models = [0];
  if (q.has('methods')) s.methods = list(q.get('methods'));
  const target = q.get('target');
  if (target === 'predicted' || target === 'label' || target === 'class') s.target = target;
  s.targetClass = q.get('class') ?? '';
  s.layer = q.get('layer') ?? '';
  s.neuron = q.get('neuron') ?? s.neuron;
  const prediction = q.get('filter');
  if (prediction === 'correct' || prediction === 'incorrect') s.prediction = prediction;
  s.trueClasses = list(q.get('true'));
  s.predictedClasses = list(q.get('pred'));
  const n = Number(q.get('n'));
  if (Number.isInteger(n) && n > 0) s.pageSize = n;
  s.faithfulness = q.get('faith') === '1';
  for (const [key, value] of q) {
    const arg = /^a\.([^.]+)\.(.+)$/.exec(key);
    if (arg) {
      s.args[arg[1]] ??= {};
      s.args[arg[1]][arg[2]] = value === 'true' ? true : value === 'false' ? false : value;
    }
    const base = /^b\.(.+)$/.exec(key);
    if (base) s.baselines[base[1]] = value;
  }
  return s;
}

/** What is on screen besides the settings: drawing options, tab, page, examples opened by place. */
export interface ViewState {
  view: ViewSettings;
  tab: 'examples' | 'dataset';
  /** The page of examples shown (null: none fetched yet). */
  page: number | null;
  /** Examples opened by their place in the data set (from the Dataset view), newest first. */
  opened: number[];
}

export const DEFAULT_VIEW_STATE: ViewState = { view: DEFAULT_VIEW, tab: 'examples', page: null, opened: [] };

const naturals = (v: string | null) => list(v).map(Number).filter((n) => Number.isInteger(n) && n >= 0);

export function readViewState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const view = { ...DEFAULT_VIEW };
  const sign = q.get('sign');
  if (sign && (SIGNS as readonly string[]).includes(sign)) view.sign = sign as Sign;
  const mode = q.get('display');
  if (mode && (IMAGE_MODES as readonly string[]).includes(mode)) view.mode = mode as ImageMode;
  const cmap = q.get('cmap');
  view.cmap = cmap && (COLORMAPS as readonly string[]).includes(cmap) ? cmap : defaultColormap(view.sign);
  const alpha = Number(q.get('alpha'));
  if (q.has('alpha') && alpha >= 0 && alpha <= 1) view.alpha = alpha;
  const outlier = Number(q.get('outlier'));
  if (q.has('outlier') && outlier >= 0 && outlier <= 50) view.outlierPerc = outlier;
  const page = Number(q.get('page'));
  return {
    view,
    tab: q.get('tab') === 'dataset' ? 'dataset' : 'examples',
    page: q.has('page') && Number.isInteger(page) && page >= 0 ? page : null,
    opened: naturals(q.get('open')),
  };
}

/** The URL query for `s` (and what is on screen, when given), keeping parameters that are not
 *  ours (the access token). */
export function writeSettings(s: Settings, search: string, shown?: ViewState): string {
  const q = new URLSearchParams(search);
  for (const key of [...q.keys()]) {
    if (key !== 'token') q.delete(key);
  }
  const d = DEFAULT_SETTINGS;
  if (s.workspace) q.set('ws', s.workspace);
  if (s.models.join() !== d.models.join()) q.set('models', s.models.join(','));
  q.set('methods', s.methods.join(','));
  for (const method of s.methods) {
    for (const [name, value] of Object.entries(s.args[method] ?? {})) q.set(`a.${method}.${name}`, String(value));
  }
  if (s.target !== 'default') q.set('target', s.target);
  if (s.target === 'class' && s.targetClass) q.set('class', s.targetClass);
  for (const [feature, option] of Object.entries(s.baselines)) q.set(`b.${feature}`, option);
  if (s.layer) q.set('layer', s.layer);
  if (s.neuron !== d.neuron) q.set('neuron', s.neuron);
  if (s.prediction !== 'all') q.set('filter', s.prediction);
  if (s.trueClasses.length) q.set('true', s.trueClasses.join(','));
  if (s.predictedClasses.length) q.set('pred', s.predictedClasses.join(','));
  if (s.pageSize !== d.pageSize) q.set('n', String(s.pageSize));
  if (s.faithfulness) q.set('faith', '1');
  if (shown) {
    const v = shown.view;
    const dv = DEFAULT_VIEW;
    if (v.sign !== dv.sign) q.set('sign', v.sign);
    if (v.mode !== dv.mode) q.set('display', v.mode);
    if (v.cmap !== defaultColormap(v.sign)) q.set('cmap', v.cmap);
    if (v.alpha !== dv.alpha) q.set('alpha', String(v.alpha));
    if (v.outlierPerc !== dv.outlierPerc) q.set('outlier', String(v.outlierPerc));
    if (shown.tab !== 'examples') q.set('tab', shown.tab);
    if (shown.page !== null) q.set('page', String(shown.page));
    if (shown.opened.length) q.set('open', shown.opened.join(','));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}
