"""`fleet up` brings the platform up, and it works end to end through its public ports: gRPC from
Python, gRPC from Node's @grpc/grpc-js (as the frontend's Server Actions call it), and the edge's
page in headless Chromium seeing an edit arrive over gRPC-web without a reload, collaborating on a
canvas with a second page over y-websocket through the edge, finding what its user wrote with
the search box (ms_vector, indexing from the broker's events), asking the chat panel a question
its user's writing answers (ms_chat's answer streamed over gRPC-web, its citation showing the
passage), and the bell counting what concerns
its user live (ms_notifications' stream) beside the mail the local SMTP sink received."""

from __future__ import annotations

import json
import random
import string

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from grpc_health.v1 import health_pb2, health_pb2_grpc
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.canvas.v1 import canvas_service_pb2, canvas_service_pb2_grpc
from knowledge.knowledge.v1 import (
    document_pb2,
    document_service_pb2_grpc,
    space_pb2,
    space_service_pb2_grpc,
)
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc
from knowledge.notifications.v1 import notification_pb2, notification_service_pb2_grpc
from knowledge.notifications.v1 import notification_service_pb2 as notification_rpc

from .browser_probes import CHROMIUM, probe_lines, started_probe
from .edge_harness import (
    PASSWORD,
    REPO_ROOT,
    PlatformUp,
    bearer,
    log_in,
    register,
    space_with_document,
    unique_email,
)

PROBE_DEADLINE = 120.0


def get_document(platform: PlatformUp, token: str, name: str) -> document_pb2.Document:
    with grpc.insecure_channel(platform.edge_target) as channel:
        return (
            document_service_pb2_grpc.DocumentServiceStub(channel)
            .GetDocument(document_rpc.GetDocumentRequest(name=name), metadata=bearer(token))
            .document
        )


def edit_document(platform: PlatformUp, token: str, name: str, content: str) -> None:
    current = get_document(platform, token, name)
    with grpc.insecure_channel(platform.edge_target) as channel:
        document_service_pb2_grpc.DocumentServiceStub(channel).UpdateDocument(
            document_rpc.UpdateDocumentRequest(
                document=document_pb2.Document(name=name, etag=current.etag, content=content),
                update_mask=FieldMask(paths=["content"]),
            ),
            metadata=bearer(token),
        )


def test_every_started_service_is_serving_where_the_table_says(platform: PlatformUp) -> None:
    for name in [service.name for service in platform.manifest.services]:
        row = platform.table_row(name)
        ports = platform.ports.of(platform.manifest.service(name))
        assert "SERVING" in row
        for kind, port in ports.items():
            assert f"{kind} {port}" in row
        with grpc.insecure_channel(platform.target(name)) as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING
    assert f"http {platform.ports.edge}" in platform.table_row("edge")
    assert f"grpc {platform.ports.edge_grpc}" in platform.table_row("edge")
    assert f"kafka {platform.ports.broker}" in platform.table_row("kafka")


def test_python_watches_a_document_edited_by_another_client(platform: PlatformUp) -> None:
    token = register(platform, unique_email())
    document = space_with_document(platform, token, "Watched", "Notes", "first")
    with grpc.insecure_channel(platform.edge_target) as channel:
        changes = document_service_pb2_grpc.DocumentServiceStub(channel).WatchDocument(
            document_rpc.WatchDocumentRequest(name=document.name),
            metadata=bearer(token),
            timeout=PROBE_DEADLINE,
        )
        snapshot = next(changes)
        edit_document(platform, token, document.name, "second")
        update = next(changes)
        changes.cancel()
    assert snapshot.change_type == document_rpc.DOCUMENT_CHANGE_TYPE_SNAPSHOT
    assert snapshot.document.content == "first"
    assert update.change_type == document_rpc.DOCUMENT_CHANGE_TYPE_UPDATED
    assert (update.document.content, update.document.revision) == ("second", 2)


def test_grpc_js_works_as_the_frontends_server_actions_do(platform: PlatformUp) -> None:
    email = unique_email()
    request = {
        "protoRoot": str(REPO_ROOT / "proto-registry" / "proto"),
        "auth": platform.edge_target,
        "knowledge": platform.edge_target,
        "email": email,
        "password": PASSWORD,
        "spaceName": "From Node",
        "title": "Server action",
        "content": "written by grpc-js",
    }
    (seen_line,) = probe_lines("grpc_js_session.mjs", request, timeout=PROBE_DEADLINE)
    seen_by_node = json.loads(seen_line)
    assert (seen_by_node["revision"], seen_by_node["content"]) == (2, "written by grpc-js")

    seen_by_python = get_document(platform, log_in(platform, email), seen_by_node["document"])
    assert seen_by_python.content == "written by grpc-js"
    assert seen_by_python.last_editor == seen_by_node["user"]


def test_the_page_shows_an_edit_made_elsewhere_live_and_saves_its_own(
    platform: PlatformUp,
) -> None:
    email = unique_email()
    token = register(platform, email)
    document = space_with_document(platform, token, "Browser space", "Live notes", "as created")
    request = {
        "chromium": CHROMIUM,
        "url": platform.page_url,
        "email": email,
        "password": PASSWORD,
        "spaceName": "Browser space",
        "title": "Live notes",
        "liveContent": "edited from Python",
        "pageEdit": "edited in the browser",
    }
    browser = started_probe("browser_session.mjs", request)
    assert browser.stdout is not None
    try:
        opened = browser.stdout.readline()
        assert opened == 'opened "as created"\n', browser.communicate(timeout=PROBE_DEADLINE)
        edit_document(platform, token, document.name, "edited from Python")
        rest, errors = browser.communicate(timeout=PROBE_DEADLINE)
    finally:
        if browser.poll() is None:
            browser.kill()
    assert browser.returncode == 0, errors
    assert rest.splitlines()[0] == 'live "edited from Python"'
    assert rest.splitlines()[1] == 'saved "saved revision 3"'
    assert get_document(platform, token, document.name).content == "edited in the browser"


def test_the_page_collaborates_on_a_canvas_with_a_second_page_live(
    platform: PlatformUp,
) -> None:
    email = unique_email()
    token = register(platform, email)
    space_with_document(platform, token, "Canvas space", "Unrelated", "")
    request = {
        "chromium": CHROMIUM,
        "url": platform.page_url,
        "email": email,
        "password": PASSWORD,
        "spaceName": "Canvas space",
        "canvasTitle": "Roadmap",
        "secondPageNode": "Added on the second page",
        "firstPageNode": "Added on the first page",
    }
    seen = probe_lines("canvas_page_session.mjs", request, timeout=PROBE_DEADLINE)
    assert seen[0] == 'opened "Roadmap" live with no nodes'
    assert seen[1] == 'second page opened "Roadmap" from the list'
    assert seen[2] == 'first page shows "Added on the second page"'
    assert seen[3] == 'second page shows "Added on the first page"'
    moved = json.loads(seen[4].removeprefix("second page shows the move to "))
    assert moved["left"] > moved["startLeft"] and moved["top"] > moved["startTop"]

    with grpc.insecure_channel(platform.edge_target) as channel:
        canvases = canvas_service_pb2_grpc.CanvasServiceStub(channel)
        (canvas,) = canvases.ListCanvases(
            canvas_service_pb2.ListCanvasesRequest(parent=moved["space"]), metadata=bearer(token)
        ).canvases
        content = canvases.GetCanvasContent(
            canvas_service_pb2.GetCanvasContentRequest(name=canvas.name), metadata=bearer(token)
        )
    assert canvas.title == "Roadmap"
    stored = {node.label: (node.x, node.y) for node in content.nodes}
    assert set(stored) == {"Added on the second page", "Added on the first page"}
    assert stored["Added on the first page"] == (moved["left"], moved["top"])


def made_up_word() -> str:
    """A word no document of the run contains until a test writes it."""
    return "".join(random.choices(string.ascii_lowercase, k=12))


def test_the_search_box_finds_the_users_own_writing_with_the_word_marked(
    platform: PlatformUp,
) -> None:
    word = made_up_word()
    stranger = register(platform, unique_email())
    space_with_document(platform, stranger, "Not yours", "Also mentions it", f"A {word} too.")
    request = {
        "chromium": CHROMIUM,
        "url": platform.page_url,
        "email": unique_email(),
        "password": PASSWORD,
        "spaceName": "Field trip",
        "title": "Seabirds",
        "content": f"# Field notes\n\n## Sightings\n\nA {word.capitalize()} glided over the bay.\n",
        "word": word,
        "absentWord": made_up_word(),
        "deadlineSeconds": PROBE_DEADLINE / 2,
    }
    refused, found, empty = probe_lines("search_page_session.mjs", request, timeout=PROBE_DEADLINE)
    assert refused.startswith("error search failed: ") and "query" in refused
    (hit,) = json.loads(found.removeprefix("hits "))
    assert (hit["title"], hit["path"]) == ("Seabirds", "Field notes \u203a Sightings")
    assert hit["marked"] == [word.capitalize()]
    assert f"A {word.capitalize()} glided over the bay." in hit["text"]
    assert hit["score"].startswith("score ")
    assert empty == f"empty nothing found for “{request['absentWord']}” in the spaces you can read"


def test_the_chat_panel_streams_an_answer_from_the_users_writing_with_a_citation_to_open(
    platform: PlatformUp,
) -> None:
    word = made_up_word()
    sentence = f"The {word.capitalize()} heron nests on the eastern cliffs of Kestrel Island."
    request = {
        "chromium": CHROMIUM,
        "url": platform.page_url,
        "email": unique_email(),
        "password": PASSWORD,
        "spaceName": "Birding",
        "title": "Herons",
        "content": f"# Herons\n\n{sentence} Its eggs hatch in May.\n",
        "word": word,
        "question": f"Where does the {word} heron nest?",
        # Real words on a topic the page never mentions: made-up ones come near the page's words
        # by embedding now and then (about 1 question in 100 was answered).
        "unanswerable": "Which spacecraft photographed the moons of Neptune?",
        "deadlineSeconds": PROBE_DEADLINE / 2,
    }
    answered, unanswered = probe_lines("chat_page_session.mjs", request, timeout=PROBE_DEADLINE)
    shown = json.loads(answered.removeprefix("answer "))
    assert shown["status"] == "answered from your passages, every claim cited"
    assert sentence in shown["text"]
    assert shown["pieces"] >= 1  # shown as it streamed, before the stored answer came
    assert shown["citations"] == ["[1] Herons"]
    assert shown["passageTitle"] == "Herons"
    assert sentence in shown["passageText"]
    assert shown["textAfterClick"] == shown["text"]
    assert sentence in "".join(shown["marked"])
    nothing = json.loads(unanswered.removeprefix("unanswered "))
    assert nothing["status"] == ("no answer: the passages you can read do not answer this question")
    assert nothing["citations"] == 0


def test_the_bell_counts_what_concerns_the_user_live_and_the_local_mail_sink_shows_the_mail(
    platform: PlatformUp,
) -> None:
    email = unique_email()
    with grpc.insecure_channel(platform.edge_target) as channel:
        me = auth_service_pb2_grpc.AuthServiceStub(channel).Register(
            auth_service_pb2.RegisterRequest(email=email, password=PASSWORD, display_name="Grace")
        )
        membership = notification_pb2.CategoryPreference(
            category=notification_pb2.NOTIFICATION_CATEGORY_MEMBERSHIP,
            channels=[
                notification_pb2.NOTIFICATION_CHANNEL_IN_APP,
                notification_pb2.NOTIFICATION_CHANNEL_EMAIL,
            ],
        )
        notification_service_pb2_grpc.NotificationServiceStub(
            channel
        ).UpdateNotificationPreferences(
            notification_rpc.UpdateNotificationPreferencesRequest(
                preferences=notification_pb2.NotificationPreferences(
                    name=f"{me.user.name}/notificationPreferences",
                    categories=[membership],
                    email_address=email,
                ),
                update_mask=FieldMask(paths=["categories", "email_address"]),
            ),
            metadata=bearer(me.tokens.access_token),
        )
    request = {
        "chromium": CHROMIUM,
        "url": platform.page_url,
        "email": email,
        "password": PASSWORD,
        "deadlineSeconds": PROBE_DEADLINE / 2,
    }
    probe = started_probe("notifications_page_session.mjs", request)
    try:
        assert probe.stdout is not None
        ready = probe.stdout.readline()  # the probe ends by itself past its deadline
        assert ready == "ready 0\n", probe.stderr.read() if probe.stderr else ready
        ada = register(platform, unique_email())
        with grpc.insecure_channel(platform.edge_target) as channel:
            space = (
                space_service_pb2_grpc.SpaceServiceStub(channel)
                .CreateSpace(
                    space_rpc.CreateSpaceRequest(
                        space=space_pb2.Space(display_name="Reading group")
                    ),
                    metadata=bearer(ada),
                )
                .space
            )
            space_service_pb2_grpc.SpaceServiceStub(channel).InviteSpaceMember(
                space_rpc.InviteSpaceMemberRequest(
                    parent=space.name, user=me.user.name, role=space_pb2.SPACE_ROLE_EDITOR
                ),
                metadata=bearer(ada),
            )
        output, errors = probe.communicate(timeout=PROBE_DEADLINE)
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.communicate()
    assert probe.returncode == 0, errors
    counted, listed, mailed, read = output.splitlines()
    assert counted == "count 1"
    (title,) = json.loads(listed.removeprefix("listed "))
    assert title.endswith("added you to Reading group as editor")
    mail = json.loads(mailed.removeprefix("mail "))
    assert "Reading group" in mail["subject"] and email in mail["to"]
    assert "added you to Reading group as editor" in mail["text"]
    assert read == "read 0"
