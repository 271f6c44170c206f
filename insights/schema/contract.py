"""The JSON contract between the server and its clients, defined once as pydantic models.

Requests are parsed with these models (unknown fields are refused); responses and events are
documented by them and checked against them in the tests. ``contract.json`` beside this file is
their JSON Schema, from which the front end generates its TypeScript types
(``python -m insights.schema`` rewrites it; a test fails when it is stale).
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import Annotated

JsonScalar = Union[bool, int, float, str, None]
ArgValue = Union[JsonScalar, List[Union[int, float]]]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors ----------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    code: str
    message: str
    field: Optional[str] = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


# --- description of the app -------------------------------------------------------------------
class ParamInfo(BaseModel):
    name: str
    type: Literal["int", "float", "bool", "choice", "str", "ints"]
    default: Any = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    choices: List[Any] = []
    nullable: bool = False
    help: str = ""
    stage: Literal["init", "attribute"] = "attribute"


class MethodInfo(BaseModel):
    name: str
    family: str
    params: List[ParamInfo]
    baselines: Literal["none", "optional", "distribution"]
    stochastic: bool
    needs_layer: bool
    needs_neuron: bool
    convergence_delta: bool
    progress: bool
    help: str


class FeatureInfo(BaseModel):
    name: str
    kind: Literal["image", "text", "timeseries", "general"]
    baselines: List[str]
    accepts_upload: bool


class ModelInfo(BaseModel):
    index: int
    name: str
    device: str
    layers: List[str]
    layer_shapes: Dict[str, List[int]] = Field(default_factory=dict, description="each layer's output shape per "
                                               "example (without the batch), where it is one tensor")


class AppInfo(BaseModel):
    models: List[ModelInfo]
    classes: List[str]
    features: List[FeatureInfo]
    methods: List[MethodInfo]
    limits: Dict[str, float]
    default_target: Literal["predicted", "label"]
    engine_version: str
    cache: bool


# --- display payloads ---------------------------------------------------------------------------
class ArrayPayload(BaseModel):
    """A float32 array, little-endian bytes in base64: ``new Float32Array(bytes.buffer)``."""
    shape: List[int]
    dtype: Literal["float32"]
    data: str


class ImagePayload(BaseModel):
    kind: Literal["image"]
    png: str
    height: int
    width: int
    attribution: Optional[ArrayPayload] = None
    channels: Optional[ArrayPayload] = Field(None, description="the attribution per channel (C, H, W) when "
                                             "the image has several: what exports write")


class TextPayload(BaseModel):
    kind: Literal["text"]
    tokens: List[str]
    scores: Optional[List[float]] = None


class TimeseriesPayload(BaseModel):
    kind: Literal["timeseries"]
    channels: List[str]
    x: List[float]
    values: ArrayPayload
    attribution: Optional[ArrayPayload] = None


class GeneralPayload(BaseModel):
    kind: Literal["general"]
    names: List[str]
    values: List[float]
    scores: Optional[List[float]] = None


class LayerPayload(BaseModel):
    kind: Literal["layer"]
    attribution: ArrayPayload


FeaturePayload = Annotated[
    Union[ImagePayload, TextPayload, TimeseriesPayload, GeneralPayload, LayerPayload],
    Field(discriminator="kind"),
]


# --- examples and pages -------------------------------------------------------------------------
class ClassScore(BaseModel):
    index: int
    name: str
    score: float


class Prediction(BaseModel):
    model: int
    predicted: ClassScore
    top: List[ClassScore]


class FeatureView(BaseModel):
    name: str
    payload: FeaturePayload


class ExampleView(BaseModel):
    id: str
    source: Literal["dataset", "upload"]
    index: Optional[int]
    label: Optional[int]
    label_name: Optional[str]
    features: List[FeatureView]
    predictions: List[Prediction]


class FilterSpec(Request):
    prediction: Literal["all", "correct", "incorrect"] = "all"
    true_classes: List[str] = []
    predicted_classes: List[str] = []
    model: int = Field(0, ge=0)


class PageRequest(Request):
    page: int = Field(0, ge=0, le=1_000_000)
    page_size: int = Field(8, ge=1)
    filter: FilterSpec = FilterSpec()
    top_k: int = Field(3, ge=1, le=1000)


class PageResponse(BaseModel):
    page: int
    page_size: int
    examples: List[ExampleView]
    has_more: bool
    scanned: int
    message: Optional[str] = None


class UploadValue(Request):
    """One feature's value: a base64 image, a typed text, or a series (channels x steps)."""
    image: Optional[str] = None
    text: Optional[str] = None
    series: Optional[List[List[float]]] = None


class UploadRequest(Request):
    inputs: Dict[str, UploadValue]
    label: Optional[str] = None


# --- attribution --------------------------------------------------------------------------------
class Target(Request):
    kind: Literal["predicted", "label", "class"]
    class_name: Optional[str] = None


class MethodChoice(Request):
    """A registered method with its arguments, layer or neuron, target and baselines."""
    method: str
    args: Dict[str, ArgValue] = {}
    layer: Optional[str] = None
    neuron: Optional[List[int]] = None
    target: Optional[Target] = None
    baselines: Dict[str, str] = {}


class AttributionRequest(MethodChoice):
    examples: List[str] = Field(min_length=1)
    models: List[int] = Field([0], min_length=1)
    faithfulness: bool = Field(False, description="also score each input attribution by its deletion AUC "
                               "and its infidelity")
    use_cache: bool = True


class Estimate(BaseModel):
    passes: int
    per_example: int
    seconds: float
    within_limits: bool
    message: Optional[str] = None


class JobAccepted(BaseModel):
    job_id: str
    estimate: Estimate


class RunRequest(Request):
    """The socket ``run`` event: an attribution request for one workspace."""
    workspace: str
    request: AttributionRequest


class CancelRequest(Request):
    workspace: str
    job_id: str


class Workspaces(BaseModel):
    workspaces: List[str]


class ProgressEvent(BaseModel):
    """``fraction`` of the whole job; ``done``/``total``: steps of the current unit (one model's
    attribution, or its faithfulness score), as the method counts them."""
    job_id: str
    fraction: float
    done: float
    total: int
    unit: int
    units: int
    elapsed_s: float
    eta_s: Optional[float] = None


class FeatureAttribution(BaseModel):
    name: str
    kind: str
    total: float
    payload: FeaturePayload


class AttributionResult(BaseModel):
    example_id: str
    model: int
    method: str
    target: int
    target_name: str
    features: List[FeatureAttribution]
    delta: Optional[float] = None
    suggested_n_steps: Optional[int] = None
    deletion_auc: Optional[float] = Field(None, description="target score's area under the deletion "
                                          "curve (20 steps); lower is more faithful")
    infidelity: Optional[float] = Field(None, description="normalised infidelity under small seeded "
                                        "Gaussian noise (10 samples); lower is more faithful")
    arguments: Dict[str, Any] = Field({}, description="the attr_engine arguments the method ran with "
                                      "(defaults resolved, e.g. Occlusion's window), for a script to repeat it")
    cached: bool
    partial: bool = Field(False, description="a map still being computed, streamed while a "
                          "perturbation method runs; the final result replaces it")


class JobResult(BaseModel):
    results: List[AttributionResult]
    seconds: float
    cache_hits: int


class ResultEvent(JobResult):
    job_id: str


class PartialEvent(BaseModel):
    """One model's results: final when it has finished, or (``partial`` set on each result)
    the unfinished maps a perturbation method streams, a few times per second."""
    job_id: str
    model: int
    results: List[AttributionResult]


class CancelledEvent(BaseModel):
    job_id: str


class ErrorEvent(BaseModel):
    job_id: Optional[str] = None
    error: ErrorDetail


class JobState(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "error", "cancelled"]
    progress: ProgressEvent
    result: Optional[JobResult] = None
    error: Optional[ErrorDetail] = None


# --- data-set jobs (insights.jobs): a whole data set attributed into a resumable store ---------
class DatasetJobRequest(MethodChoice):
    """Attribute every example of the workspace's data set into the store ``name`` (started
    again with the same name and request, a job resumes where it stopped)."""
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    model: int = Field(0, ge=0)
    faithfulness: bool = Field(False, description="also score each example by its deletion AUC")
    limit: Optional[int] = Field(None, ge=1, description="only the first `limit` examples")
    shard_size: int = Field(64, ge=1, le=4096)
    dtype: Literal["float32", "float16"] = "float32"
    executor: Literal["local", "ray"] = "local"
    workers: int = Field(1, ge=1, le=256, description="local threads, or CPUs of a local Ray")


class RunDatasetRequest(Request):
    """The socket ``run_dataset`` event."""
    workspace: str
    request: DatasetJobRequest


class DatasetJobAccepted(BaseModel):
    job_id: str
    name: str


class DatasetStatus(BaseModel):
    """A store: its job, how far it got (``state`` from the job's last word: running, done,
    cancelled, error, or stopped when its process went away), and the dashboard job, if any."""
    name: str
    method: str
    model: int
    done: int
    total: int
    errors: int
    state: Optional[str] = None
    examples_per_s: Optional[float] = None
    eta_s: Optional[float] = None
    job_id: Optional[str] = None


class DatasetList(BaseModel):
    datasets: List[DatasetStatus]


class DatasetResultEvent(BaseModel):
    """Server -> client ``dataset_result``: the job finished."""
    job_id: str
    name: str
    state: Literal["done"]
    done: int
    total: int
    errors: int
    seconds: float
    examples_per_s: float


class Histogram(BaseModel):
    edges: List[float]
    counts: List[int]


class Distribution(BaseModel):
    count: int
    mean: Optional[float] = None
    quantiles: Dict[str, float]
    histogram: Histogram


class ClassMap(BaseModel):
    """Mean signed and mean absolute map over the examples attributed to one class."""
    class_index: int
    name: str
    count: int
    mean: ArrayPayload
    mean_abs: ArrayPayload


class TokenScore(BaseModel):
    token: int
    name: str
    mean: float
    count: int


class ClassTokens(BaseModel):
    class_index: int
    name: str
    top: List[TokenScore]
    bottom: List[TokenScore]


class Agreement(Distribution):
    """Spearman rank correlation between two jobs' maps, per example: ``[index, rho]``."""
    key: str
    methods: List[str]
    per_example: List[List[Optional[float]]]


class WorstExample(BaseModel):
    """``index`` is the example's place in the data set: PageRequest(page=index, page_size=1)
    on the unfiltered data set shows it; ``example_id`` is its id there."""
    index: int
    example_id: str
    label: Optional[int] = None
    target: int
    deletion_auc: float


class Faithfulness(Distribution):
    worst: List[WorstExample]


class SanityCheck(BaseModel):
    """Model randomisation: row i has layers[: i + 1] re-initialised, output side first."""
    sample: int
    layers: List[str]
    mean: List[Optional[float]]
    per_example: List[List[Optional[float]]]


class DatasetSummary(BaseModel):
    method: str
    spec: Dict[str, Any]
    total: int
    done: int
    errors: int
    status: Optional[Dict[str, Any]] = None
    class_maps: Dict[str, List[ClassMap]]
    top_tokens: Dict[str, List[ClassTokens]]
    faithfulness: Optional[Faithfulness] = None
    agreement: Optional[Agreement] = None
    sanity: Optional[SanityCheck] = None


CONTRACT = [ErrorResponse, AppInfo, PageRequest, PageResponse, UploadRequest, ExampleView,
            AttributionRequest, Estimate, JobAccepted, RunRequest, CancelRequest, Workspaces, JobState, ProgressEvent,
            PartialEvent, ResultEvent, CancelledEvent, ErrorEvent]
CONTRACT += [DatasetJobRequest, RunDatasetRequest, DatasetJobAccepted, DatasetStatus, DatasetList,
             DatasetResultEvent, DatasetSummary]
