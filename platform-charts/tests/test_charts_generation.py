"""The charts follow repos.yaml and the proto registry, and cannot silently drift from them."""

from __future__ import annotations

from pathlib import Path

import yaml
from fleet.charts.check import check_charts
from fleet.charts.generated_files import drifted_files, write_generated_files
from fleet.charts.grpc_contracts import parse_proto
from fleet.manifest import load_manifest

from .chart_edits import REPO_ROOT, replace_once


def test_the_committed_charts_pass_the_whole_check() -> None:
    report = check_charts(REPO_ROOT)

    assert [str(problem) for problem in report.problems] == []
    # and mesh, kafka, qdrant, clickhouse, postgres, web
    assert report.charts == len(load_manifest(REPO_ROOT).services) + 6
    assert report.scenarios >= 2
    assert report.goldens == report.charts * report.scenarios


def test_generating_again_changes_nothing(charts_copy: Path) -> None:
    assert write_generated_files(charts_copy) == []


def test_a_hand_edit_to_a_generated_file_is_reported_as_drift(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/mesh/values.yaml"
    replace_once(values, "host: knowledge.example.com", "host: edited.example.com")

    assert drifted_files(charts_copy) == [
        "platform-charts/mesh/values.yaml differs from what repos.yaml generates"
    ]


def test_a_service_removed_from_repos_yaml_loses_its_chart_and_its_goldens(
    charts_copy: Path,
) -> None:
    manifest = charts_copy / "repos.yaml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    data["services"] = [s for s in data["services"] if s["name"] != "ms_ml"]
    for service in data["services"]:
        service["callers"] = [c for c in service.get("callers", []) if c != "ms_ml"]
    manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    assert "services/ms-ml" in {p.as_posix() for p in write_generated_files(charts_copy)}
    assert not (charts_copy / "platform-charts/services/ms-ml").exists()
    problems = [str(problem) for problem in check_charts(charts_copy).problems]
    assert (
        "platform-charts/golden/default/ms-ml.yaml: golden render of no scenario and chart"
        in problems
    )


def test_policies_follow_the_grpc_services_the_registry_declares(charts_copy: Path) -> None:
    proto = charts_copy / "proto-registry/proto/knowledge/ml/v1/model_service.proto"
    replace_once(proto, "service ModelService {", "service ModelRegistryService {")
    write_generated_files(charts_copy)

    values = yaml.safe_load(
        (charts_copy / "platform-charts/services/ms-ml/values.yaml").read_text()
    )
    assert "knowledge.ml.v1.ModelRegistryService" in values["grpc"]["services"]
    assert "knowledge.ml.v1.ModelService" not in values["grpc"]["services"]
    problems = [str(problem) for problem in check_charts(charts_copy).problems]
    for chart in ("ms-ml", "mesh"):
        assert any(
            line.startswith(
                f"default/{chart}: platform-charts/golden/default/{chart}.yaml: differs"
            )
            for line in problems
        ), problems


def test_proto_parsing_finds_services_and_server_streams_past_comments() -> None:
    text = """
    syntax = "proto3";
    // service Commented { rpc Nope(A) returns (stream B); }
    package knowledge.chat.v1;
    /* a block comment with service Hidden { } */
    service ChatService {
      rpc GetConversation(GetConversationRequest) returns (Conversation) {
        option (google.api.http) = {get: "/v1/{name=conversations/*}"};
      }
      rpc StreamAnswer(StreamAnswerRequest) returns (stream StreamAnswerResponse);
    }
    """

    [service] = parse_proto(text, Path("chat_service.proto"))

    assert service.full_name == "knowledge.chat.v1.ChatService"
    assert service.streaming_methods == ("StreamAnswer",)
    assert service.method_path("StreamAnswer") == "/knowledge.chat.v1.ChatService/StreamAnswer"
