"""Resource names and ids (AIP-122): one grammar, and errors that name the field."""

from __future__ import annotations

import pytest

from knowledge_kit.api import ResourcePattern, checked_resource_id, new_resource_id
from knowledge_kit.errors import ValidationError

DOCUMENT = ResourcePattern("spaces/{space}/documents/{document}")
MEMBER = ResourcePattern("spaces/{space}/members/{user}", user=r"[A-Za-z0-9._~-]{1,128}")


def test_names_split_into_their_ids_and_back() -> None:
    ids = DOCUMENT.parse("spaces/handbook/documents/0f3a", "name")
    assert ids == {"space": "handbook", "document": "0f3a"}
    assert DOCUMENT.format(**ids) == "spaces/handbook/documents/0f3a"


@pytest.mark.parametrize(
    "name",
    [
        "spaces/handbook",
        "spaces/Handbook/documents/plan",
        "spaces/handbook/documents/",
        "spaces/-x/documents/plan",
        "spaces/handbook/documents/plan/extra",
    ],
)
def test_malformed_names_are_refused_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        DOCUMENT.parse(name, "document.name")
    assert refused.value.violations[0].field == "document.name"
    assert "spaces/{space}/documents/{document}" in refused.value.message


def test_a_variable_may_have_its_own_grammar() -> None:
    assert MEMBER.parse("spaces/handbook/members/Alice.B", "name")["user"] == "Alice.B"


def test_generated_ids_and_ids_stored_before_fit_every_name() -> None:
    for stored in (new_resource_id(), "3f2a9c0d1e4b", "ends-with-dash-", "plan"):
        assert DOCUMENT.matches(f"spaces/handbook/documents/{stored}")


def test_chosen_ids_start_with_a_letter_and_end_with_a_letter_or_digit() -> None:
    assert checked_resource_id("q3-plan", "document_id") == "q3-plan"
    for bad in ("3q-plan", "plan-", "Plan", "a" * 64, "plan_b"):
        with pytest.raises(ValidationError) as refused:
            checked_resource_id(bad, "document_id")
        assert refused.value.violations[0].field == "document_id"


def test_an_empty_chosen_id_is_generated() -> None:
    generated = checked_resource_id("", "document_id")
    assert len(generated) == 32 and DOCUMENT.matches(f"spaces/s/documents/{generated}")
