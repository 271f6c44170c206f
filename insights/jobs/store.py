"""The on-disk store of a data-set job, written shard by shard and read by pandas/pyarrow.

    store/
      manifest.json            the job (spec, model, features, classes, total): a resume must match it
      status.json              last progress written by the running job (state, done, total, ETA)
      job.lock                 locked (flock) by the process running the job: the OS drops the lock
                               the moment that process dies, so a reader knows a killed job at once
      rows/00007.parquet       one row per example: index, example_id, label, predicted, score, target,
                               target_score, total, delta, deletion_auc, error
      maps/<key>/00007.npy     the shard's attribution maps for one feature (or layer), (examples, ...)

``pandas.read_parquet("store/rows")`` reads every row. A shard is committed by its Parquet
file, written last and atomically (temporary name, then ``os.replace``): maps without their
rows are an interrupted shard and are written again, so a job killed at any point and started
again ends with each example exactly once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Union

import numpy as np

ROW_FIELDS = [("index", "int64"), ("shard", "int64"), ("example_id", "string"), ("label", "int64"),
              ("predicted", "int64"), ("score", "float64"), ("target", "int64"), ("target_score", "float64"),
              ("total", "float64"), ("delta", "float64"), ("deletion_auc", "float64"), ("error", "string")]


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, kind)()) for name, kind in ROW_FIELDS])


def _atomic_write(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")  # dot-files are ignored by pyarrow's dataset reader
    write(tmp)
    os.replace(tmp, path)


class Store:
    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)

    # --- the job ---------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def manifest(self) -> Dict[str, Any]:
        if not self.exists():
            raise FileNotFoundError(f"no data-set job store at {self.path} (manifest.json missing)")
        return json.loads(self.manifest_path.read_text())

    def open(self, manifest: Dict[str, Any]) -> None:
        """Create the store, or check that an existing one holds the same job (to resume it)."""
        blocker = next((p for p in (self.path, *self.path.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise ValueError(f"`store` {self.path} cannot be a folder: {blocker} is a file; choose another path")
        if self.exists():
            old = self.manifest()
            for key in ("spec", "weights", "features"):
                if old.get(key) != manifest.get(key):
                    raise ValueError(f"the store at {self.path} holds a different job ({key} differs: "
                                     f"{old.get(key)!r} there, {manifest.get(key)!r} now); "
                                     "choose another store path")
            return
        if self.path.exists() and any(self.path.iterdir()):
            raise ValueError(f"`store` {self.path} exists and is not a job store; choose an empty or new folder")
        (self.path / "rows").mkdir(parents=True, exist_ok=True)
        (self.path / "maps").mkdir(exist_ok=True)
        _atomic_write(self.manifest_path, lambda p: p.write_text(json.dumps(manifest, indent=2)))

    # --- who runs it ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Mark the job as running in this process for the duration (one process per store)."""
        with open(self.path / "job.lock", "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ValueError(f"another process is running the job in {self.path}; wait for it, "
                                 "or cancel it, before starting it again") from None
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def held(self) -> bool:
        """Whether a live process is running the job now (a killed one holds nothing)."""
        path = self.path / "job.lock"
        if not path.is_file():
            return False
        with open(path, "rb") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(lock, fcntl.LOCK_UN)
            return False

    def state(self) -> Optional[str]:
        """The job's state as a reader should see it: "running" only while its process lives,
        "stopped" for a job whose process went away unfinished (start it again to resume)."""
        state = (self.status() or {}).get("state")
        return "stopped" if state == "running" and not self.held() else state

    # --- writing ---------------------------------------------------------------------------------
    def done_shards(self) -> List[int]:
        return sorted(int(p.stem) for p in (self.path / "rows").glob("*.parquet"))

    def write_shard(self, result: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        name = f"{result.index:05d}"
        for key, array in result.maps.items():
            folder = self.path / "maps" / key
            folder.mkdir(exist_ok=True)
            _atomic_write(folder / f"{name}.npy", lambda p, a=array: _save_npy(p, a))
        table = pa.Table.from_pydict(result.rows, schema=_schema())
        _atomic_write(self.path / "rows" / f"{name}.parquet", lambda p: pq.write_table(table, p))

    def write_status(self, status: Dict[str, Any]) -> None:
        _atomic_write(self.path / "status.json", lambda p: p.write_text(json.dumps(status)))

    # --- reading ---------------------------------------------------------------------------------
    def status(self) -> Optional[Dict[str, Any]]:
        path = self.path / "status.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def table(self) -> Any:
        """Every committed row as a pyarrow Table, in data-set order."""
        import pyarrow.parquet as pq

        files = [self.path / "rows" / f"{s:05d}.parquet" for s in self.done_shards()]
        if not files:
            return _schema().empty_table()
        return pq.ParquetDataset([str(f) for f in files], schema=_schema()).read().sort_by("index")

    def rows(self) -> Any:
        """Every committed row as a pandas DataFrame."""
        return self.table().to_pandas()

    def map_keys(self) -> List[str]:
        folder = self.path / "maps"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def shard_maps(self, key: str) -> Iterator[tuple]:
        """(shard index, memory-mapped array) for each committed shard, in order."""
        for shard in self.done_shards():
            path = self.path / "maps" / key / f"{shard:05d}.npy"
            if path.is_file():
                yield shard, np.load(path, mmap_mode="r")

    def maps(self, key: str) -> np.ndarray:
        """One map per committed example, in data-set order (failed examples are NaN)."""
        import pyarrow.parquet as pq

        parts: List[Any] = []
        for shard in self.done_shards():
            path = self.path / "maps" / key / f"{shard:05d}.npy"
            if path.is_file():
                parts.append(np.asarray(np.load(path, mmap_mode="r")))
            else:  # a shard whose every example failed has rows but no maps
                parts.append(pq.ParquetFile(self.path / "rows" / f"{shard:05d}.parquet").metadata.num_rows)
        template = next((p for p in parts if not isinstance(p, int)), None)
        if template is None:
            raise KeyError(f"the store has no maps {key!r}; it has {self.map_keys()}")
        return np.concatenate([np.full((p, *template.shape[1:]), np.nan, template.dtype) if isinstance(p, int)
                               else p for p in parts])


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, array)
