"""The format files keep to their declared schema (toolkit/core/formats/schema/*.json).

The schema says the structure (which keys, of what type, which ids and codes are well formed); the
loader (toolkit/core/formats/__init__.py) checks what refers across entries (a rule's cells exist, a
severity is one of common.toml's).  A planted defect shows the validation names the place.
"""
from __future__ import annotations

import json
import tomllib
from importlib import resources

import jsonschema
import pytest

from toolkit.core.formats import VERSIONS

FORMATS = resources.files("toolkit.core.formats")


def schema(name: str) -> dict:
    return json.loads(FORMATS.joinpath("schema", f"{name}.json").read_text(encoding="utf-8"))


def problems(data: dict, name: str) -> list[str]:
    """Every violation as "place: message", the place a path like tables/0/blocks/0/columns/0/kind."""
    validator = jsonschema.Draft202012Validator(schema(name))
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data))


def load(file) -> dict:
    return tomllib.loads(file.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["version", "common"])
def test_the_schemas_are_valid_json_schemas(name):
    jsonschema.Draft202012Validator.check_schema(schema(name))


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_file_keeps_to_the_schema(version):
    assert problems(load(FORMATS.joinpath(f"{version}.toml")), "version") == []


def test_common_keeps_to_the_schema():
    assert problems(load(FORMATS.joinpath("common.toml")), "common") == []


def test_a_planted_defect_in_a_version_file_is_named_by_its_place(tmp_path):
    text = FORMATS.joinpath(f"{VERSIONS[0]}.toml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    # a column of the first table whose kind is misspelt, and a headline without its groups
    broken.write_text(text.replace('kind = "count"', 'kind = "cuont"', 1).replace("groups = [", "grupos = [", 1),
                      encoding="utf-8")
    found = problems(load(broken), "version")
    assert any(p.startswith("tables/0") and "'cuont'" in p for p in found), found
    assert any(p.startswith("headline: 'groups' is a required property") for p in found), found


def test_a_planted_defect_in_common_is_named_by_its_place(tmp_path):
    data = load(FORMATS.joinpath("common.toml"))
    data["info_fields"][2]["id"] = "year"  # not info.<key>
    del data["severities"]["hint"]
    found = problems(data, "common")
    assert any(p.startswith("info_fields/2/id:") for p in found), found
    assert "severities: 'hint' is a required property" in found, found
