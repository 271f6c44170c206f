"""The result cache: an embedded SQLite database of attribution results.

Keys hash everything a result depends on — the model's weights, the engine's version, the
example's content, method, arguments, layer, target and baseline — so retrained weights or a
new engine never return stale results. Least recently used rows go when the size cap is hit.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Dict, Optional

import torch


def weights_hash(model: torch.nn.Module) -> str:
    """A content hash of the model's parameters and buffers."""
    h = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def result_key(**parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class ResultCache:
    """``get``/``put`` JSON results by key; thread-safe; ``max_bytes`` caps the stored payloads."""

    def __init__(self, path: Optional[Path], max_bytes: int = 256 * 2 ** 20) -> None:
        self.path = Path(path) if path is not None else None
        self.max_bytes = max_bytes
        self.hits = 0
        self._lock = threading.Lock()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                         "size INTEGER NOT NULL, used REAL NOT NULL)")
        self._db.commit()

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        with self._lock:
            row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE results SET used = ? WHERE key = ?", (time.time(), key))
            self._db.commit()
            self.hits += 1
        return json.loads(row[0])

    def put(self, key: str, value: Dict[str, Any]) -> None:
        text = json.dumps(value)
        if len(text) > self.max_bytes:
            return
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                             (key, text, len(text), time.time()))
            self._evict()
            self._db.commit()

    def _evict(self) -> None:
        total = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM results").fetchone()[0]
        while total > self.max_bytes:
            key, size = self._db.execute("SELECT key, size FROM results ORDER BY used LIMIT 1").fetchone()
            self._db.execute("DELETE FROM results WHERE key = ?", (key,))
            total -= size

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
