"""Numbers move only when a model change says so: `compare` of the demo's four presets and a
negotiation, as JSON with their manifests set aside, equal the files in tests/data/golden byte for
byte. Issue 17 (the layers) wrote them from pactlab 0.2; issue 18 (credible models: the reserve
crisis model, the tariffs as of a date, the deal's life for both sides, one relief in one unit)
regenerated them; issues 19-22 (the tariff model read off a node grid, within 1e-6 USD bn of the
direct solve; the host's stated objective; the verdict strip and the new risk baselines in the
JSON) regenerated them again. A change that moves a number regenerates them and says why in its
note."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pactlab.app.cli import main

GOLDEN = Path(__file__).parent / "data" / "golden"
RUNS = {
    "compare": ["compare", "japan-mou-2025", "korea-us-demand-2025-09", "korea-counter-2025-09",
                "korea-final-2025-11", "--paths", "1000", "--seed", "3", "--json", "--no-robust"],
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
