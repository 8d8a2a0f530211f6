"""`fleet up` has ms_vector follow the embedder ms_ml serves: ms_auth is given ms_vector's service
account (its secret generated once in the run's state directory), ms_vector signs in with it and
embeds with the version holding `models/embedder/aliases/production`. A search through the edge
answers, the document's index status and ms_vector's generation gauge name that version, and a
new version set on the alias is rolled out beside the serving index while searches go on
answering. (How ms_vector builds and switches generations is tested in ms_vector's own tests.)"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import wordllama  # type: ignore[import-untyped]
from fleet.manifest import load_manifest
from fleet.up.layout import UpLayout
from fleet.up.ports import PortPlan
from fleet.up.service_env import service_environment
from knowledge.ml.v1 import artifact_service_pb2 as artifact_rpc
from knowledge.ml.v1 import artifact_service_pb2_grpc, model_pb2, model_service_pb2_grpc
from knowledge.ml.v1 import model_service_pb2 as model_rpc
from knowledge.vector.v1 import vector_service_pb2 as vector_rpc
from knowledge.vector.v1 import vector_service_pb2_grpc
from ms_ml.service.formats import WORDLLAMA_FILES, wordllama_tar
from safetensors.numpy import load_file, save_file  # type: ignore[import-untyped, unused-ignore]

from .conftest import EMBEDDER_ADMIN, REPO_ROOT
from .edge_harness import PlatformUp, bearer, register, space_with_document, unique_email

ALIAS = "models/embedder/aliases/production"
DEADLINE_SECONDS = 240.0
CHUNK_BYTES = 1024 * 1024


def test_ms_auth_and_ms_vector_share_a_generated_secret_kept_in_the_state_directory(
    tmp_path: Path,
) -> None:
    manifest = load_manifest(REPO_ROOT)
    layout = UpLayout(home=tmp_path)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092, offset=100)

    vector = service_environment(manifest.service("ms_vector"), manifest, layout, ports, "b:9092")
    auth = service_environment(manifest.service("ms_auth"), manifest, layout, ports, "b:9092")
    again = service_environment(manifest.service("ms_vector"), manifest, layout, ports, "b:9092")

    secret = vector["MS_VECTOR_SERVICE_ACCOUNT_SECRET"]
    assert len(secret) >= 40 and again["MS_VECTOR_SERVICE_ACCOUNT_SECRET"] == secret
    assert vector["MS_VECTOR_SERVICE_ACCOUNT"] == "serviceAccounts/ms-vector"
    assert vector["MS_VECTOR_EMBEDDER_ALIAS"] == "production"
    assert vector["MS_VECTOR_AUTH_TARGET"] == "127.0.0.1:50151"
    assert vector["MS_VECTOR_ML_TARGET"] == "127.0.0.1:50158"
    assert vector["MS_VECTOR_MODEL_CACHE_DIR"] == str(layout.data / "ms_vector-models")
    provisioned = auth["MS_AUTH_SERVICE_ACCOUNTS"]
    assert f'"name": "serviceAccounts/ms-vector", "secret": "{secret}"' in provisioned
    kept = layout.secrets / "ms-vector"
    assert kept.read_text() == secret
    assert kept.stat().st_mode & 0o077 == 0, "only its owner may read the secret"


def test_a_search_through_the_edge_is_embedded_by_the_version_ms_ml_serves(
    platform: PlatformUp,
) -> None:
    token = register(platform, unique_email())
    word = unique_word()
    document = space_with_document(
        platform, token, "Glaciology", "Glaciers", f"{word} glaciers retreat every summer"
    )
    with grpc.insecure_channel(platform.edge_target) as channel:
        holder = serving_version(channel, token)
        status = until_embedded_by(channel, token, document.name, holder)
        found = until_found(channel, token, word)

    assert status.indexed_revision == document.revision
    assert [result.chunk.document for result in found.results][:1] == [document.name]
    assert found.results[0].chunk.embedding_model == holder
    assert f'vector_index_generation{{model="{holder}",state="serving"}} 1.0' in metrics(
        platform, "ms_vector"
    )


def test_a_version_set_on_the_alias_is_rolled_out_while_searches_keep_answering(
    platform: PlatformUp, tmp_path: Path
) -> None:
    admin = register(platform, EMBEDDER_ADMIN)
    token = register(platform, unique_email())
    word = unique_word()
    document = space_with_document(
        platform, token, "Moraines", "Moraines", f"{word} moraines mark where the ice stood"
    )
    with grpc.insecure_channel(platform.edge_target) as channel:
        before = serving_version(channel, token)
        until_embedded_by(channel, token, document.name, before)
        until_found(channel, token, word)
        version = registered_version(channel, admin, doubled_weights(tmp_path))
        with searching(platform, token, word, document.name) as searches:
            model_service_pb2_grpc.ModelServiceStub(channel).SetModelAlias(
                model_rpc.SetModelAliasRequest(
                    name=ALIAS, model_version=version, reason="the same weights, doubled"
                ),
                metadata=bearer(admin),
            )
            status = until_embedded_by(channel, token, document.name, version)

    assert status.indexed_revision == document.revision
    assert searches.answered > 0
    assert searches.problems == [], searches.problems
    gauges = metrics(platform, "ms_vector")
    assert f'vector_index_generation{{model="{version}",state="serving"}} 1.0' in gauges


def unique_word() -> str:
    return "".join(chr(ord("a") + byte % 26) for byte in uuid.uuid4().bytes[:10])


def serving_version(channel: grpc.Channel, token: str) -> str:
    return str(
        model_service_pb2_grpc.ModelServiceStub(channel)
        .GetModelVersion(model_rpc.GetModelVersionRequest(name=ALIAS), metadata=bearer(token))
        .model_version.name
    )


def until_embedded_by(
    channel: grpc.Channel, token: str, document: str, model: str
) -> vector_rpc.DocumentIndexStatus:
    """The document's index status once it names `model` (the index follows events)."""
    vector = vector_service_pb2_grpc.VectorServiceStub(channel)
    deadline = time.monotonic() + DEADLINE_SECONDS
    status = None
    while time.monotonic() < deadline:
        try:
            status = vector.GetDocumentIndexStatus(
                vector_rpc.GetDocumentIndexStatusRequest(document=document),
                metadata=bearer(token),
            ).status
        except grpc.RpcError as error:
            if error.code() is not grpc.StatusCode.NOT_FOUND:  # not indexed yet
                raise
        if status is not None and status.embedding_model == model and status.chunk_count:
            return status
        time.sleep(0.2)
    raise AssertionError(f"{document} was not embedded by {model}; its status: {status}")


def search(channel: grpc.Channel, token: str, word: str) -> vector_rpc.SearchChunksResponse:
    return vector_service_pb2_grpc.VectorServiceStub(channel).SearchChunks(
        vector_rpc.SearchChunksRequest(query=word, page_size=5),
        metadata=bearer(token),
        timeout=10,
    )


def until_found(channel: grpc.Channel, token: str, word: str) -> vector_rpc.SearchChunksResponse:
    """The first search that finds `word` (the in-memory index follows its record)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = search(channel, token, word)
        if found.results:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no search found {word!r}")


def metrics(platform: PlatformUp, service: str) -> str:
    port = platform.ports.of(platform.manifest.service(service))["metrics"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        return str(answer.read().decode())


def doubled_weights(directory: Path) -> bytes:
    """A wordllama-tar of the shipped weights times two: another model (other bytes, another
    fingerprint) whose L2-normalised vectors are the shipped ones, so the platform's other
    tests search as before once it serves."""
    shipped = Path(wordllama.__file__).parent
    weights, tokenizer = WORDLLAMA_FILES
    (directory / weights).parent.mkdir(parents=True)
    (directory / tokenizer).parent.mkdir(parents=True)
    tensors = load_file(str(shipped / weights))
    save_file({name: value * 2 for name, value in tensors.items()}, str(directory / weights))
    shutil.copy(shipped / tokenizer, directory / tokenizer)
    return wordllama_tar(directory)


def registered_version(channel: grpc.Channel, admin: str, data: bytes) -> str:
    """Uploads `data` through the edge and registers it as a version of models/embedder."""
    sha256 = hashlib.sha256(data).hexdigest()

    def requests() -> Iterator[artifact_rpc.UploadArtifactRequest]:
        yield artifact_rpc.UploadArtifactRequest(
            header=artifact_rpc.ArtifactUploadHeader(size_bytes=len(data), sha256=sha256)
        )
        for start in range(0, len(data), CHUNK_BYTES):
            yield artifact_rpc.UploadArtifactRequest(chunk=data[start : start + CHUNK_BYTES])

    artifact = (
        artifact_service_pb2_grpc.ArtifactServiceStub(channel)
        .UploadArtifact(requests(), metadata=bearer(admin), timeout=120)
        .artifact
    )
    created = model_service_pb2_grpc.ModelServiceStub(channel).CreateModelVersion(
        model_rpc.CreateModelVersionRequest(
            parent="models/embedder",
            model_version=model_pb2.ModelVersion(
                artifact_uri=artifact.name,
                size_bytes=len(data),
                format="wordllama-tar",
                description="the shipped weights, doubled",
            ),
        ),
        metadata=bearer(admin),
    )
    return str(created.model_version.name)


class Searches:
    """Searches sent again and again from another thread, and what went wrong with any."""

    def __init__(self, platform: PlatformUp, token: str, word: str, document: str) -> None:
        self._platform = platform
        self._token = token
        self._word = word
        self._document = document
        self.answered = 0
        self.problems: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with grpc.insecure_channel(self._platform.edge_target) as channel:
            while not self.stop.is_set():
                try:
                    found = search(channel, self._token, self._word)
                except grpc.RpcError as error:
                    self.problems.append(f"{error.code().name}: {error.details()}")
                else:
                    documents = [result.chunk.document for result in found.results]
                    if self._document not in documents:
                        self.problems.append(f"the document was not found: {documents}")
                    self.answered += 1
                time.sleep(0.05)


@contextlib.contextmanager
def searching(platform: PlatformUp, token: str, word: str, document: str) -> Iterator[Searches]:
    """Searches for `word` from another thread while the block runs."""
    searches = Searches(platform, token, word, document)
    thread = threading.Thread(target=searches.run, daemon=True)
    thread.start()
    try:
        yield searches
    finally:
        searches.stop.set()
        thread.join(timeout=30)
