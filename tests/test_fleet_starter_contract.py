"""The starter contract is the template's worked example, moved into the service's package."""

from __future__ import annotations

import pytest
from fleet.errors import FleetError
from fleet.template_ops.starter_contract import starter_contract

from .conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "template" / "project" / "proto" / "example_api" / "v1" / "example.proto"


def test_the_example_becomes_the_services_package_with_its_rpcs_unchanged() -> None:
    example = EXAMPLE.read_text()

    contract = starter_contract(example, "ms_billing")

    assert contract.startswith("// The starter contract of ms_billing, written by `fleet new`")
    assert "\npackage knowledge.billing.v1;\n\nimport" in contract
    assert "template_example" not in contract
    body = contract.split("syntax", 1)[1]
    assert body == example.split("syntax", 1)[1].replace(
        "knowledge.template_example.v1", "knowledge.billing.v1"
    )
    for rpc in ("CreateNote", "GetNote", "ListNotes", "UpdateNote"):
        assert f"rpc {rpc}({rpc}Request) returns ({rpc}Response);" in contract


def test_an_example_in_another_package_is_refused_naming_it() -> None:
    moved = EXAMPLE.read_text().replace("template_example", "notes")

    with pytest.raises(FleetError, match=r"found: knowledge\.notes\.v1"):
        starter_contract(moved, "ms_billing")
