"""The result cache: an embedded SQLite database of attribution results.

Keys hash everything a result depends on — the model's weights, the engine's version, the
example's content, method, arguments, layer, target and baseline — so retrained weights or a
new engine never return stale results. Least recently used rows go when the size cap is hit.
A cache file that is not a readable database is moved aside (kept for the user, named in a
warning) and a fresh one started: a cache may lose results, never stop the dashboard.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Dict, Optional

import torch

log = logging.getLogger(__name__)


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
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as exc:
            self._db = self._start_afresh(exc)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                       "size INTEGER NOT NULL, used REAL NOT NULL)")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("the integrity check failed")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _start_afresh(self, exc: Exception) -> sqlite3.Connection:
        """Move a corrupt cache file aside (it may hold the user's only copy of something) and reopen."""
        if self.path is None:
            raise exc
        kept = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-journal", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(Path(f"{kept}{suffix}"))
        message = f"the result cache {self.path} was unreadable ({exc}); moved it to {kept} and started a new one"
        warnings.warn(message, RuntimeWarning, stacklevel=3)
        log.warning(message)
        return self._connect()

    def _run(self, work):
        """Run ``work(db)`` under the lock; a database found corrupt mid-session is replaced."""
        with self._lock:
            try:
                return work(self._db)
            except sqlite3.DatabaseError as exc:
                try:
                    self._db.close()
                except sqlite3.Error:
                    pass
                self._db = self._start_afresh(exc)
                return work(self._db)

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        def work(db: sqlite3.Connection) -> Optional[str]:
            row = db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE results SET used = ? WHERE key = ?", (time.time(), key))
            db.commit()
            return row[0]

        text = self._run(work)
        if text is None:
            return None
        self.hits += 1
        return json.loads(text)

    def put(self, key: str, value: Dict[str, Any]) -> None:
        text = json.dumps(value)
        if len(text) > self.max_bytes:
            return

        def work(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", (key, text, len(text), time.time()))
            self._evict(db)
            db.commit()

        self._run(work)

    def _evict(self, db: sqlite3.Connection) -> None:
        total = db.execute("SELECT COALESCE(SUM(size), 0) FROM results").fetchone()[0]
        while total > self.max_bytes:
            key, size = db.execute("SELECT key, size FROM results ORDER BY used LIMIT 1").fetchone()
            db.execute("DELETE FROM results WHERE key = ?", (key,))
            total -= size

    def __len__(self) -> int:
        return self._run(lambda db: db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
