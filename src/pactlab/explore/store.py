"""The results of a run, on disk as they arrive: one Parquet file per finished chunk, written
under a temporary name and published by an atomic rename, beside a manifest. A run killed at
any moment leaves only whole chunks; ``--resume`` computes the chunks that are missing.

Readable without pactlab::

    duckdb.sql("select * from read_parquet('DIR/chunk-*.parquet') order by point_id")
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .. import data
from .._version import __version__
from ..errors import PactError
from .spec import Spec

MANIFEST = "manifest.json"
CHUNK = re.compile(r"^chunk-(\d{6})\.parquet$")


class Store:
    """A run's folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def chunk_path(self, chunk: int) -> Path:
        return self.folder / f"chunk-{chunk:06d}.parquet"

    def open(self, spec: Spec, chunk_size: int, *, resume: bool) -> dict[str, Any]:
        """Start a run (a new or empty folder) or take one up again (`resume`): the manifest
        must match the spec. Returns the manifest."""
        manifest_path = self.folder / MANIFEST
        if resume:
            if not manifest_path.exists():
                raise PactError(f"{self.folder}: no run to resume here (no {MANIFEST})")
            manifest = self.manifest()
            if manifest["spec_sha256"] != spec.digest():
                raise PactError(f"{self.folder}: the run was made from another spec "
                                f"({manifest['spec']['name']}, {manifest['spec_sha256']}); "
                                f"use a new folder or the same spec")
            for stale in self.folder.glob(".chunk-*"):
                stale.unlink()                       # a write cut short by a kill
            return manifest
        if self.folder.exists() and any(self.folder.iterdir()):
            raise PactError(f"{self.folder}: the folder is not empty; use --resume to continue "
                            "a run, or a new folder")
        if not self.folder.parent.exists():
            raise PactError(f"{self.folder}: folder {self.folder.parent} does not exist")
        self.folder.mkdir(exist_ok=True)
        points = len(spec.design())
        manifest = {
            "spec": json.loads(spec.model_dump_json()), "spec_sha256": spec.digest(),
            "seed": spec.sampler.seed, "points": points, "chunk_size": chunk_size,
            "chunks": -(-points // chunk_size), "columns": spec.columns(),
            "pactlab_version": __version__, "data_as_of": data.as_of(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        _publish(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
        return manifest

    def manifest(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PactError(f"{self.folder}: not a pactlab run (no {MANIFEST})") from None

    def done(self) -> set[int]:
        """The chunks already published."""
        return {int(m.group(1)) for p in self.folder.iterdir() if (m := CHUNK.match(p.name))}

    def write(self, chunk: int, frame: pd.DataFrame) -> None:
        path = self.chunk_path(chunk)
        tmp = self.folder / f".{path.name}.{os.getpid()}.tmp"
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)


def _publish(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)


def load_results(folder: str | Path) -> pd.DataFrame:
    """Every finished point of a run, in point-id order: point_id, one column per factor, one
    per outcome (and `error`, empty where the point ran)."""
    store = Store(folder)
    manifest = store.manifest()
    files = sorted(store.chunk_path(c) for c in store.done())
    if not files:
        return pd.DataFrame(columns=[*manifest["columns"], "error"])
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return frame.sort_values("point_id", kind="stable").reset_index(drop=True)
