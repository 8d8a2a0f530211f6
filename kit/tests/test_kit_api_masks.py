"""Update masks (AIP-134): empty means what was sent, `*` everything updatable, no other path."""

from __future__ import annotations

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.knowledge.v1 import space_pb2

from knowledge_kit.api import update_paths
from knowledge_kit.errors import ValidationError

UPDATABLE = ("display_name", "description")
SENT = space_pb2.Space(name="spaces/handbook", display_name="Handbook", etag="abc")


def test_the_mask_names_the_fields_to_change() -> None:
    assert update_paths(FieldMask(paths=["description"]), SENT, UPDATABLE) == {"description"}


def test_an_empty_mask_means_the_updatable_fields_sent() -> None:
    assert update_paths(FieldMask(), SENT, UPDATABLE) == {"display_name"}


def test_a_star_means_every_updatable_field() -> None:
    assert update_paths(FieldMask(paths=["*"]), SENT, UPDATABLE) == set(UPDATABLE)


@pytest.mark.parametrize(
    ("path", "reason"), [("create_time", "cannot be changed"), ("colour", "is not a field")]
)
def test_paths_that_are_not_updatable_are_refused(path: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        update_paths(FieldMask(paths=["display_name", path]), SENT, UPDATABLE)
    assert refused.value.violations[0].field == "update_mask"
    assert f"{path} {reason}" in refused.value.message


def test_a_request_that_changes_nothing_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        update_paths(FieldMask(), space_pb2.Space(name="spaces/handbook"), UPDATABLE)
    assert refused.value.violations[0].field == "update_mask"
