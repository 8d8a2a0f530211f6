"""The web app's image (web/Dockerfile), read as Docker reads it: every stage a COPY names comes
before it, every file it copies from the build context is there (the registry's stubs where
`fleet web stubs` writes them), and the image runs what the web release expects (its user, port,
health path, the standalone server) without telemetry."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

import yaml

from .chart_edits import REPO_ROOT

WEB = REPO_ROOT / "web"
GENERATED = "protos"
"""Written into the context by `fleet web stubs` (git-ignored): the only COPY sources not in git."""


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, keyword: str) -> list[str]:
        return [argument for name, argument in self.instructions if name == keyword]


def _stages() -> tuple[dict[str, str], list[Stage]]:
    text = (WEB / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", text)
    arguments: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, argument = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not stages:
            name, _, default = argument.partition("=")
            arguments[name] = default
        elif keyword == "FROM":
            words = argument.split()
            base = words[0]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(name, base))
        else:
            stages[-1].instructions.append((keyword, argument.strip()))
    return arguments, stages


def _copies(stage: Stage) -> list[tuple[str | None, list[str], str]]:
    """Each COPY of a stage: the stage it copies from (None: the build context), sources, target."""
    copies = []
    for argument in stage.values("COPY"):
        words = shlex.split(argument)
        source_stage = None
        while words[0].startswith("--"):
            flag = words.pop(0)
            if flag.startswith("--from="):
                source_stage = flag.removeprefix("--from=")
        copies.append((source_stage, words[:-1], words[-1]))
    return copies


def _ignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in (WEB / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern) for pattern in patterns for prefix in prefixes)


def _web_values() -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load(
        (REPO_ROOT / "platform-charts/web/values.yaml").read_text(encoding="utf-8")
    )
    return values


def test_every_stage_is_built_from_the_pinned_node_image_and_copies_from_earlier_stages() -> None:
    arguments, stages = _stages()
    assert re.fullmatch(r"node:\d+-bookworm-slim", arguments["NODE_IMAGE"])
    assert [stage.base for stage in stages] == ["${NODE_IMAGE}"] * len(stages)
    names = [stage.name for stage in stages]
    assert len(set(names)) == len(names)
    for index, stage in enumerate(stages):
        for source_stage, _, _ in _copies(stage):
            if source_stage is not None:
                assert source_stage in names[:index], (stage.name, source_stage)


def test_every_file_copied_from_the_context_is_there_and_not_ignored() -> None:
    tsconfig = json.loads((WEB / "tsconfig.json").read_text(encoding="utf-8"))
    stub_paths = tsconfig["compilerOptions"]["paths"]["@knowledge/protos/*"]
    assert stub_paths == [f"./{GENERATED}/dist/*"]
    _, stages = _stages()
    copied = [
        source
        for stage in stages
        for source_stage, sources, _ in _copies(stage)
        if source_stage is None
        for source in sources
    ]
    assert "src" in copied and "package-lock.json" in copied
    for source in copied:
        assert not _ignored(source), f"{source} is copied but .dockerignore leaves it out"
        if source.split("/")[0] == GENERATED:
            continue
        assert (WEB / source).exists(), f"the Dockerfile copies {source}, which web/ lacks"
    assert f"{GENERATED}/dist" in copied


def test_the_image_runs_the_standalone_server_as_the_release_expects() -> None:
    _, stages = _stages()
    build, runtime = stages[-2], stages[-1]
    build_env = " ".join(build.values("ENV"))
    assert "NEXT_OUTPUT=standalone" in build_env and "NEXT_TELEMETRY_DISABLED=1" in build_env
    assert build.values("RUN")[-1].endswith("next build")
    config = (WEB / "next.config.mjs").read_text(encoding="utf-8")
    assert 'process.env.NEXT_OUTPUT === "standalone"' in config
    assert 'output: "standalone"' in config
    runtime_sources = [sources for source, sources, _ in _copies(runtime) if source == build.name]
    assert ["/app/.next/standalone"] in runtime_sources
    assert ["/app/.next/static"] in runtime_sources
    values = _web_values()
    runtime_env = " ".join(runtime.values("ENV"))
    assert "NEXT_TELEMETRY_DISABLED=1" in runtime_env
    assert f"PORT={values['ports']['http']}" in runtime_env
    assert runtime.values("EXPOSE") == [str(values["ports"]["http"])]
    assert runtime.values("USER") == ["10001:10001"]
    assert json.loads(runtime.values("CMD")[0]) == ["node", "server.js"]
    [healthcheck] = runtime.values("HEALTHCHECK")
    assert values["healthPath"] in healthcheck


def test_the_health_route_the_probes_get_answers_without_calling_a_service() -> None:
    route = WEB / "src/app" / _web_values()["healthPath"].strip("/") / "route.ts"
    text = route.read_text(encoding="utf-8")
    assert "export function GET" in text
    assert "@/api" not in text and "grpc" not in text


def test_the_app_downloads_no_fonts() -> None:
    for source in (WEB / "src").rglob("*.ts*"):
        assert "next/font/google" not in source.read_text(encoding="utf-8"), source
