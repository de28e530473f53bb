"""The one error users see: pydantic's errors turned into '<file>: <field>: <rule>, got <value>'."""
from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pactlab.core.errors import PactError, format_loc, from_validation_error, split_loc


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: float = Field(ge=0.0, le=1.0)


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tiers: list[Inner]
    name: str


def _error(data: dict) -> PactError:
    with pytest.raises(ValidationError) as info:
        Outer.model_validate(data)
    return from_validation_error(info.value, "deal.toml")


def test_locations_read_like_term_paths() -> None:
    assert format_loc(("waterfall", "tiers", 1, "investor_share")) == "waterfall.tiers[1].investor_share"
    assert format_loc(()) == "(top level)"
    assert split_loc("tiers[1].hurdle") == split_loc("tiers.1.hurdle") == ["tiers", 1, "hurdle"]


@pytest.mark.parametrize("data,message", [
    ({"tiers": [{"share": 0.5}, {"share": 1.4}], "name": "x"},
     "deal.toml: tiers[1].share: must be <= 1.0, got 1.4"),
    ({"tiers": [], "name": 3}, "deal.toml: name: must be text, got 3"),
    ({"tiers": [{"share": 0.5, "sahre": 1}], "name": "x"}, "deal.toml: tiers[0].sahre: is not a known term, got 1"),
    ({"name": "x"}, "deal.toml: tiers: is required"),
])
def test_one_line_naming_file_field_and_rule(data: dict, message: str) -> None:
    err = _error(data)
    assert isinstance(err, ValueError) and str(err) == message


def test_more_errors_are_counted_not_listed() -> None:
    err = _error({"tiers": [{"share": 2.0}, {"share": -1.0}]})
    assert str(err).startswith("deal.toml: tiers[0].share: must be <= 1.0, got 2.0")
    assert str(err).endswith("(and 2 more error(s))") and "\n" not in str(err)
