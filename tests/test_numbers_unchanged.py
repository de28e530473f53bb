"""The redesign into layers moves code, never numbers (issue 17's guard): `compare` of the demo's
four presets and a negotiation, as JSON with their manifests set aside, equal what pactlab 0.2
printed before the moves, byte for byte. A later model change that moves a number retires or
regenerates these files, saying so."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pactlab.app.cli import main

GOLDEN = Path(__file__).parent / "data" / "golden"
RUNS = {
    "compare": ["compare", "japan-mou-2025", "korea-us-demand-2025-09", "korea-counter-2025-09",
                "korea-final-2025-11", "--paths", "1000", "--seed", "3", "--json"],
    "negotiate": ["negotiate", "korea-final-2025-11", "--space", "korea", "--sample", "lhs",
                  "--n", "40", "--paths", "300", "--seed", "5", "--json"],
}


def _canonical(text: str) -> str:
    payload = json.loads(text)
    payload.pop("manifest", None)
    payload.pop("manifests", None)
    return json.dumps(payload, indent=2, sort_keys=True, allow_nan=False) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_moves_change_no_number(capsys, name: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(RUNS[name])
        raise SystemExit(0)
    out = capsys.readouterr().out
    assert (info.value.code or 0) == 0
    assert _canonical(out) == (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
