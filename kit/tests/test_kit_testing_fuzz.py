"""fuzz_service sends every method of a service hostile requests built from its descriptors and
fails on any UNKNOWN or INTERNAL answer; a sound service passes it."""

from __future__ import annotations

import grpc
import pytest

from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.fuzz import fuzz_service
from knowledge_kit.testing.fuzz_server import fuzz_server
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import bearer
from .notes_service import NOTES, Note, NotesServicer, add_NotesServicer_to_server

SEEDS = {method.name: Note(name="notes/1", page_size=2) for method in NOTES.methods}


async def test_a_sound_service_passes_and_every_method_is_fuzzed(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_NotesServicer_to_server, NotesServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        report = await fuzz_service(
            channel,
            NOTES,
            metadata=bearer(jwks_endpoint.mint()),
            seeds=SEEDS,
            max_cases_per_method=30,
        )
    assert set(report.answers) == {f"kit.test.Notes/{method.name}" for method in NOTES.methods}
    for answers in report.answers.values():
        assert answers.total() == 30
        assert answers["INVALID_ARGUMENT"] >= 6  # the malformed bytes and the empty message
        assert answers["OK"] > 0  # cases on the seed got past the checks
    assert report.skipped == 0


async def test_a_handler_that_breaks_on_a_value_fails_naming_the_method_and_the_case(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    broken = NotesServicer(title_as_number=True)
    running = await start_grpc_server((add_NotesServicer_to_server, broken))
    async with grpc.aio.insecure_channel(running.target) as channel:
        with pytest.raises(AssertionError) as found:
            await fuzz_service(channel, NOTES, metadata=bearer(jwks_endpoint.mint()), seeds=SEEDS)
    assert "kit.test.Notes/GetNote answered INTERNAL to title = 'xxxx" in str(found.value)
    assert "kit.test.Notes/SyncNotes answered INTERNAL to title = 'xxxx" in str(found.value)


async def test_fuzzing_without_a_token_says_it_reached_nothing(
    start_grpc_server: StartGrpcServer,
) -> None:
    running = await start_grpc_server((add_NotesServicer_to_server, NotesServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        with pytest.raises(AssertionError, match="GetNote refused every call as UNAUTHENTICATED"):
            await fuzz_service(channel, NOTES, max_cases_per_method=3)


async def test_a_seed_for_a_method_the_service_lacks_is_refused(
    start_grpc_server: StartGrpcServer,
) -> None:
    running = await start_grpc_server((add_NotesServicer_to_server, NotesServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        with pytest.raises(ValueError, match=r"\['DeleteNote'\]"):
            await fuzz_service(channel, NOTES, seeds={"DeleteNote": Note()})


async def test_fuzz_server_fuzzes_every_served_service_and_checks_its_seeds_get_through(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_NotesServicer_to_server, NotesServicer()))
    token = bearer(jwks_endpoint.mint())
    async with grpc.aio.insecure_channel(running.target) as channel:
        reports = await fuzz_server(channel, metadata=token, seeds={"Notes": SEEDS})
        assert set(reports) == {"Notes"}  # health and reflection are the kit's, not fuzzed
        with pytest.raises(AssertionError, match=r"services the server does not serve: \['Nope'\]"):
            await fuzz_server(channel, metadata=token, seeds={"Nope": {}})
        with pytest.raises(AssertionError, match="no case got past Notes's first checks"):
            await fuzz_server(channel, metadata=token, seeds={"Notes": {}}, budget_seconds=0.0)
