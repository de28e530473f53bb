"""The last answers, by what produced them, capped by their size in bytes (not their count:
one answer may be a hundred times another), least recently used out first."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any


def key(*parts: Any) -> str:
    """A digest of what produced an answer."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class ByteCache:
    """Answers as bytes (the response bodies themselves, so their size is exact)."""

    def __init__(self, max_bytes: int = 32_000_000) -> None:
        self.max_bytes, self.bytes = max_bytes, 0
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> bytes | None:
        with self._lock:
            if name in self._kept:
                self._kept.move_to_end(name)
                return self._kept[name]
        return None

    def put(self, name: str, body: bytes) -> None:
        """Keep `body` unless it alone is over the cap; drop the oldest until it fits."""
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._kept.pop(name, None)
            self.bytes -= len(old) if old is not None else 0
            self._kept[name] = body
            self.bytes += len(body)
            while self.bytes > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self.bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._kept)
