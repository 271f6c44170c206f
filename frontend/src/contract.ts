/* Generated from insights/schema/contract.json by `npm run gen:types`; do not edit. */

export interface Contract {}
/**
 * Spearman rank correlation between two jobs' maps, per example: ``[index, rho]``.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "Agreement".
 */
export interface Agreement {
  count: number;
  histogram: Histogram;
  key: string;
  mean?: number | null;
  methods: string[];
  per_example: (number | null)[][];
  quantiles: {
    [k: string]: number;
  };
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "Histogram".
 */
export interface Histogram {
  counts: number[];
  edges: number[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "AppInfo".
 */
export interface AppInfo {
  cache: boolean;
  classes: string[];
  default_target: 'predicted' | 'label';
  engine_version: string;
  features: FeatureInfo[];
  limits: {
    [k: string]: number;
  };
  methods: MethodInfo[];
  models: ModelInfo[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "FeatureInfo".
 */
export interface FeatureInfo {
  accepts_upload: boolean;
  baselines: string[];
  kind: 'image' | 'text' | 'timeseries' | 'general';
  name: string;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "MethodInfo".
 */
export interface MethodInfo {
  baselines: 'none' | 'optional' | 'distribution';
  convergence_delta: boolean;
  family: string;
  help: string;
  name: string;
  needs_layer: boolean;
  needs_neuron: boolean;
  params: ParamInfo[];
  progress: boolean;
  stochastic: boolean;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ParamInfo".
 */
export interface ParamInfo {
  choices?: unknown[];
  default?: unknown;
  help?: string;
  maximum?: number | null;
  minimum?: number | null;
  name: string;
  nullable?: boolean;
  stage?: 'init' | 'attribute';
  type: 'int' | 'float' | 'bool' | 'choice' | 'str' | 'ints';
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ModelInfo".
 */
export interface ModelInfo {
  device: string;
  index: number;
  /**
   * each layer's output shape per example (without the batch), where it is one tensor
   */
  layer_shapes?: {
    [k: string]: number[];
  };
  layers: string[];
  name: string;
}
/**
 * A float32 array, little-endian bytes in base64: ``new Float32Array(bytes.buffer)``.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ArrayPayload".
 */
export interface ArrayPayload {
  data: string;
  dtype: 'float32';
  shape: number[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "AttributionRequest".
 */
export interface AttributionRequest {
  args?: {
    [k: string]: boolean | number | string | number[] | null;
  };
  baselines?: {
    [k: string]: string;
  };
  /**
   * @minItems 1
   */
  examples: [string, ...string[]];
  /**
   * also score each input attribution by its deletion AUC and its infidelity
   */
  faithfulness?: boolean;
  layer?: string | null;
  method: string;
  /**
   * @minItems 1
   */
  models?: [number, ...number[]];
  neuron?: number[] | null;
  target?: Target | null;
  use_cache?: boolean;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "Target".
 */
export interface Target {
  class_name?: string | null;
  kind: 'predicted' | 'label' | 'class';
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "AttributionResult".
 */
export interface AttributionResult {
  /**
   * the attr_engine arguments the method ran with (defaults resolved, e.g. Occlusion's window), for a script to repeat it
   */
  arguments?: {
    [k: string]: unknown;
  };
  cached: boolean;
  /**
   * target score's area under the deletion curve (20 steps); lower is more faithful
   */
  deletion_auc?: number | null;
  delta?: number | null;
  example_id: string;
  features: FeatureAttribution[];
  /**
   * normalised infidelity under small seeded Gaussian noise (10 samples); lower is more faithful
   */
  infidelity?: number | null;
  method: string;
  model: number;
  /**
   * a map still being computed, streamed while a perturbation method runs; the final result replaces it
   */
  partial?: boolean;
  suggested_n_steps?: number | null;
  target: number;
  target_name: string;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "FeatureAttribution".
 */
export interface FeatureAttribution {
  kind: string;
  name: string;
  payload: ImagePayload | TextPayload | TimeseriesPayload | GeneralPayload | LayerPayload;
  total: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ImagePayload".
 */
export interface ImagePayload {
  attribution?: ArrayPayload | null;
  /**
   * the attribution per channel (C, H, W) when the image has several: what exports write
   */
  channels?: ArrayPayload | null;
  height: number;
  kind: 'image';
  png: string;
  width: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "TextPayload".
 */
export interface TextPayload {
  kind: 'text';
  scores?: number[] | null;
  tokens: string[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "TimeseriesPayload".
 */
export interface TimeseriesPayload {
  attribution?: ArrayPayload | null;
  channels: string[];
  kind: 'timeseries';
  values: ArrayPayload;
  x: number[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "GeneralPayload".
 */
export interface GeneralPayload {
  kind: 'general';
  names: string[];
  scores?: number[] | null;
  values: number[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "LayerPayload".
 */
export interface LayerPayload {
  attribution: ArrayPayload;
  kind: 'layer';
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "CancelRequest".
 */
export interface CancelRequest {
  job_id: string;
  workspace: string;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "CancelledEvent".
 */
export interface CancelledEvent {
  job_id: string;
}
/**
 * Mean signed and mean absolute map over the examples attributed to one class.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ClassMap".
 */
export interface ClassMap {
  class_index: number;
  count: number;
  mean: ArrayPayload;
  mean_abs: ArrayPayload;
  name: string;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ClassScore".
 */
export interface ClassScore {
  index: number;
  name: string;
  score: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ClassTokens".
 */
export interface ClassTokens {
  bottom: TokenScore[];
  class_index: number;
  name: string;
  top: TokenScore[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "TokenScore".
 */
export interface TokenScore {
  count: number;
  mean: number;
  name: string;
  token: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "DatasetJobAccepted".
 */
export interface DatasetJobAccepted {
  job_id: string;
  name: string;
}
/**
 * Attribute every example of the workspace's data set into the store ``name`` (started
 * again with the same name and request, a job resumes where it stopped).
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "DatasetJobRequest".
 */
export interface DatasetJobRequest {
  args?: {
    [k: string]: boolean | number | string | number[] | null;
  };
  baselines?: {
    [k: string]: string;
  };
  dtype?: 'float32' | 'float16';
  executor?: 'local' | 'ray';
  /**
   * also score each example by its deletion AUC
   */
  faithfulness?: boolean;
  layer?: string | null;
  /**
   * only the first `limit` examples
   */
  limit?: number | null;
  method: string;
  model?: number;
  name: string;
  neuron?: number[] | null;
  shard_size?: number;
  target?: Target | null;
  /**
   * local threads, or CPUs of a local Ray
   */
  workers?: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "DatasetList".
 */
export interface DatasetList {
  datasets: DatasetStatus[];
}
/**
 * A store: its job, how far it got (``state`` from the job's last word: running, done,
 * cancelled, error, or stopped when its process went away), and the dashboard job, if any.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "DatasetStatus".
 */
export interface DatasetStatus {
  done: number;
  errors: number;
  eta_s?: number | null;
  examples_per_s?: number | null;
  job_id?: string | null;
  method: string;
  model: number;
  name: string;
  state?: string | null;
  total: number;
}
/**
 * Server -> client ``dataset_result``: the job finished.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "DatasetResultEvent".
 */
export interface DatasetResultEvent {
  done: number;
  errors: number;
  examples_per_s: number;
  job_id: string;
  name: string;
  seconds: number;
  state: 'done';
  total: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "DatasetSummary".
 */
export interface DatasetSummary {
  agreement?: Agreement | null;
  class_maps: {
    [k: string]: ClassMap[];
  };
  done: number;
  errors: number;
  faithfulness?: Faithfulness | null;
  method: string;
  sanity?: SanityCheck | null;
  spec: {
    [k: string]: unknown;
  };
  status?: {
    [k: string]: unknown;
  } | null;
  top_tokens: {
    [k: string]: ClassTokens[];
  };
  total: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "Faithfulness".
 */
export interface Faithfulness {
  count: number;
  histogram: Histogram;
  mean?: number | null;
  quantiles: {
    [k: string]: number;
  };
  worst: WorstExample[];
}
/**
 * ``index`` is the example's place in the data set: PageRequest(page=index, page_size=1)
 * on the unfiltered data set shows it; ``example_id`` is its id there.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "WorstExample".
 */
export interface WorstExample {
  deletion_auc: number;
  example_id: string;
  index: number;
  label?: number | null;
  target: number;
}
/**
 * Model randomisation: row i has layers[: i + 1] re-initialised, output side first.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "SanityCheck".
 */
export interface SanityCheck {
  layers: string[];
  mean: (number | null)[];
  per_example: (number | null)[][];
  sample: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ErrorDetail".
 */
export interface ErrorDetail {
  code: string;
  field?: string | null;
  message: string;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ErrorEvent".
 */
export interface ErrorEvent {
  error: ErrorDetail;
  job_id?: string | null;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ErrorResponse".
 */
export interface ErrorResponse {
  error: ErrorDetail;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "Estimate".
 */
export interface Estimate {
  message?: string | null;
  passes: number;
  per_example: number;
  seconds: number;
  within_limits: boolean;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ExampleView".
 */
export interface ExampleView {
  features: FeatureView[];
  id: string;
  index: number | null;
  label: number | null;
  label_name: string | null;
  predictions: Prediction[];
  source: 'dataset' | 'upload';
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "FeatureView".
 */
export interface FeatureView {
  name: string;
  payload: ImagePayload | TextPayload | TimeseriesPayload | GeneralPayload | LayerPayload;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "Prediction".
 */
export interface Prediction {
  model: number;
  predicted: ClassScore;
  top: ClassScore[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "FilterSpec".
 */
export interface FilterSpec {
  model?: number;
  predicted_classes?: string[];
  prediction?: 'all' | 'correct' | 'incorrect';
  true_classes?: string[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "JobAccepted".
 */
export interface JobAccepted {
  estimate: Estimate;
  job_id: string;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "JobResult".
 */
export interface JobResult {
  cache_hits: number;
  results: AttributionResult[];
  seconds: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "JobState".
 */
export interface JobState {
  error?: ErrorDetail | null;
  job_id: string;
  progress: ProgressEvent;
  result?: JobResult | null;
  status: 'queued' | 'running' | 'done' | 'error' | 'cancelled';
}
/**
 * ``fraction`` of the whole job; ``done``/``total``: steps of the current unit (one model's
 * attribution, or its faithfulness score), as the method counts them.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ProgressEvent".
 */
export interface ProgressEvent {
  done: number;
  elapsed_s: number;
  eta_s?: number | null;
  fraction: number;
  job_id: string;
  total: number;
  unit: number;
  units: number;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "PageRequest".
 */
export interface PageRequest {
  filter?: FilterSpec1;
  page?: number;
  page_size?: number;
  top_k?: number;
}
export interface FilterSpec1 {
  model?: number;
  predicted_classes?: string[];
  prediction?: 'all' | 'correct' | 'incorrect';
  true_classes?: string[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "PageResponse".
 */
export interface PageResponse {
  examples: ExampleView[];
  has_more: boolean;
  message?: string | null;
  page: number;
  page_size: number;
  scanned: number;
}
/**
 * One model's results: final when it has finished, or (``partial`` set on each result)
 * the unfinished maps a perturbation method streams, a few times per second.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "PartialEvent".
 */
export interface PartialEvent {
  job_id: string;
  model: number;
  results: AttributionResult[];
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "ResultEvent".
 */
export interface ResultEvent {
  cache_hits: number;
  job_id: string;
  results: AttributionResult[];
  seconds: number;
}
/**
 * The socket ``run_dataset`` event.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "RunDatasetRequest".
 */
export interface RunDatasetRequest {
  request: DatasetJobRequest;
  workspace: string;
}
/**
 * The socket ``run`` event: an attribution request for one workspace.
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "RunRequest".
 */
export interface RunRequest {
  request: AttributionRequest;
  workspace: string;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "UploadRequest".
 */
export interface UploadRequest {
  inputs: {
    [k: string]: UploadValue;
  };
  label?: string | null;
}
/**
 * One feature's value: a base64 image, a typed text, or a series (channels x steps).
 *
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "UploadValue".
 */
export interface UploadValue {
  image?: string | null;
  series?: number[][] | null;
  text?: string | null;
}
/**
 * This interface was referenced by `Contract`'s JSON-Schema
 * via the `definition` "Workspaces".
 */
export interface Workspaces {
  workspaces: string[];
}
