"""The results of a run, on disk as they arrive: one Parquet file per finished chunk, written
under a temporary name and published by an atomic rename, beside a manifest. A run killed at
any moment leaves only whole chunks; ``--resume`` computes the chunks that are missing.

A run is known by its identity (`run_id`): the spec, the contents (sha256) of every file it
reads, and the pactlab version. The manifest records them, each chunk carries the run id in its
Parquet metadata, and a resume refuses a changed input and recomputes any chunk that is not
whole, not this run's, or does not hold exactly its own point ids.

Readable without pactlab::

    duckdb.sql("select * from read_parquet('DIR/chunk-*.parquet') order by point_id")
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..._version import __version__
from ...core.errors import PactError
from ...core.io import default_mode, write_atomic
from ...inputs import data
from .lock import LOCK
from .spec import Spec

MANIFEST = "manifest.json"
CHUNK = re.compile(r"^chunk-(\d{6})\.parquet$")
#: the Parquet key-value metadata key of a chunk's run id
RUN_KEY = b"pactlab_run_id"
#: what a manifest must hold, and of which type, to be read at all
_FIELDS = {"spec": dict, "spec_sha256": str, "points": int, "chunk_size": int, "chunks": int,
           "columns": list}


def run_identity(spec: Spec, inputs: dict[str, str]) -> str:
    """A run's id: the spec, the digests of the files it reads, and the pactlab version."""
    key = json.dumps({"spec": spec.digest(), "inputs": inputs, "pactlab": __version__},
                     sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class Store:
    """A run's folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def chunk_path(self, chunk: int) -> Path:
        return self.folder / f"chunk-{chunk:06d}.parquet"

    def prepare(self, *, resume: bool) -> None:
        """Before the folder is locked: a run to resume must be there; a new run's folder is
        made (its parent must exist)."""
        if resume:
            if not (self.folder / MANIFEST).exists():
                raise PactError(f"{self.folder}: no run to resume here (no {MANIFEST})")
            return
        if not self.folder.parent.exists():
            raise PactError(f"{self.folder}: folder {self.folder.parent} does not exist")
        try:
            self.folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise PactError(f"{self.folder}: cannot make the folder ({exc.strerror})") from None

    def open(self, spec: Spec, inputs: dict[str, str], chunk_size: int, *,
             resume: bool) -> dict[str, Any]:
        """With the folder locked: start a run (the folder must be empty) or take one up again
        (`resume`: the same spec, input files and pactlab). Returns the manifest."""
        if resume:
            manifest = self.manifest()
            _check_identity(self.folder, manifest, spec, inputs)
            for stale in [*self.folder.glob(".chunk-*"), *self.folder.glob(f".{MANIFEST}.*")]:
                stale.unlink(missing_ok=True)           # a write cut short by a kill
            return manifest
        if any(p.name != LOCK for p in self.folder.iterdir()):
            raise PactError(f"{self.folder}: the folder is not empty; use --resume to continue "
                            "a run, or a new folder")
        points = len(spec.design())
        manifest = {
            "spec": json.loads(spec.model_dump_json()), "spec_sha256": spec.digest(),
            "run_id": run_identity(spec, inputs), "inputs": inputs,
            "seed": spec.sampler.seed, "points": points, "chunk_size": chunk_size,
            "chunks": -(-points // chunk_size), "columns": spec.columns(),
            "pactlab_version": __version__, "data_as_of": data.as_of(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        write_atomic(self.folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        return manifest

    def manifest(self) -> dict[str, Any]:
        """The run's manifest; missing or unreadable, a one-line PactError."""
        path = self.folder / MANIFEST
        try:
            manifest = json.loads(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            raise PactError(f"{self.folder}: not a pactlab run (no {MANIFEST})") from None
        except OSError as exc:
            raise PactError(f"{path}: cannot be read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise PactError(f"{path}: not a readable run manifest (not UTF-8)") from None
        except ValueError as exc:
            raise PactError(f"{path}: not a readable run manifest (not JSON: {exc})") from None
        bad = [k for k, kind in _FIELDS.items()
               if not isinstance(manifest, dict) or not isinstance(manifest.get(k), kind)]
        if bad:
            raise PactError(f"{path}: not a readable run manifest ({bad[0]} is missing or "
                            "of the wrong type)")
        return manifest

    def done(self) -> set[int]:
        """The chunks published (whether or not they pass `check`)."""
        return {int(m.group(1)) for p in self.folder.iterdir() if (m := CHUNK.match(p.name))}

    def check(self, manifest: dict[str, Any], notice: Callable[[str], None]) -> set[int]:
        """The chunks that pass the check (whole, this run's, their own point ids). The others
        are removed, to be recomputed, and `notice` gets one line naming them and why."""
        good, failed = set(), []
        for chunk in sorted(self.done()):
            path = self.chunk_path(chunk)
            try:
                read_chunk(path, chunk, manifest)
                good.add(chunk)
            except BadChunk as exc:
                failed.append(f"{path.stem} ({exc})")
                path.unlink(missing_ok=True)
        if failed:
            notice(f"{self.folder}: {len(failed)} chunk(s) failed the check and are recomputed "
                   f"(or removed, where not the run's): {', '.join(failed)}")
        return good

    def write(self, chunk: int, frame: pd.DataFrame, run_id: str) -> None:
        """Publish a chunk: its rows with the run id in the metadata, written under a temporary
        name, given the umask's mode and renamed into place."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               RUN_KEY: run_id.encode()})
        path = self.chunk_path(chunk)
        tmp = self.folder / f".{path.name}.{os.getpid()}.tmp"
        try:
            pq.write_table(table, tmp)
            os.chmod(tmp, default_mode())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _check_identity(folder: Path, manifest: dict[str, Any], spec: Spec,
                    inputs: dict[str, str]) -> None:
    """Refuse, in one line, to resume a run whose spec, input files or pactlab differ."""
    if manifest["spec_sha256"] != spec.digest():
        raise PactError(f"{folder}: the run was made from another spec "
                        f"({manifest['spec'].get('name')}, {manifest['spec_sha256']}); "
                        f"use a new folder or the same spec")
    before = manifest.get("inputs")
    if not isinstance(before, dict) or not isinstance(manifest.get("run_id"), str):
        raise PactError(f"{folder}: cannot resume: the manifest records no input digests (made "
                        f"by pactlab {manifest.get('pactlab_version')}); use a new folder")
    if manifest.get("pactlab_version") != __version__:
        raise PactError(f"{folder}: cannot resume: the run was started with pactlab "
                        f"{manifest.get('pactlab_version')}, this is pactlab {__version__}; "
                        "use a new folder")
    changed = [f"{name} changed since the run started (sha256 {str(before.get(name))[:8]}… → "
               f"{digest[:8]}…)" for name, digest in inputs.items() if before.get(name) != digest]
    if changed or manifest["run_id"] != run_identity(spec, inputs):
        raise PactError(f"{folder}: cannot resume: {', '.join(changed) or 'its inputs changed'}; "
                        "use a new folder")


class BadChunk(Exception):
    """Why a chunk file fails the check (a short phrase)."""


def chunk_ids(manifest: dict[str, Any], chunk: int) -> range:
    """The point ids chunk number `chunk` holds."""
    size, points = manifest["chunk_size"], manifest["points"]
    return range(chunk * size, min(points, (chunk + 1) * size))


def read_chunk(path: Path, chunk: int, manifest: dict[str, Any]) -> pa.Table:
    """A chunk's table, if it is one of the run's: whole, with the run's id (where the
    manifest has one), its columns and exactly its own point ids; else BadChunk."""
    if chunk >= manifest["chunks"]:
        raise BadChunk(f"not one of the run's {manifest['chunks']} chunks")
    try:
        if not path.is_file():
            raise BadChunk("not a file")
        if path.stat().st_size == 0:
            raise BadChunk("empty")
        table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError):
        raise BadChunk("unreadable") from None
    run_id = manifest.get("run_id")
    found = (table.schema.metadata or {}).get(RUN_KEY)
    if run_id is not None and found != run_id.encode():
        raise BadChunk("another run" if found else "no run id")
    if table.column_names != [*manifest["columns"], "error"]:
        raise BadChunk("other columns")
    ids = table.column("point_id").to_pylist()
    if ids != list(chunk_ids(manifest, chunk)):
        raise BadChunk("other point ids")
    return table


def load_results(folder: str | Path) -> pd.DataFrame:
    """Every finished point of a run, in point-id order: point_id, one column per factor, one
    per outcome (and `error`, empty where the point ran). A chunk that fails the check (cut
    short, another run's, a copy that would repeat points) is a one-line PactError."""
    store = Store(folder)
    manifest = store.manifest()
    tables = []
    for chunk in sorted(store.done()):
        path = store.chunk_path(chunk)
        try:
            tables.append(read_chunk(path, chunk, manifest))
        except BadChunk as exc:
            raise PactError(f"{path}: fails the check ({exc}); its points would be missing or "
                            "repeated: resume the run (pactlab explore --resume) to recompute "
                            "it") from None
    if not tables:
        return pd.DataFrame(columns=[*manifest["columns"], "error"])
    frame = pd.concat([t.to_pandas() for t in tables], ignore_index=True)
    return frame.sort_values("point_id", kind="stable").reset_index(drop=True)
