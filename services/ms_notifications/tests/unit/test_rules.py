"""Who is told what: the actor never, service accounts never, each person once; grouped titles
count the distinct actors; security notices cannot be muted."""

from __future__ import annotations

from ms_notifications.domain.notifications import Category, Channel, merged_actors
from ms_notifications.domain.preferences import CategoryPreference, Preferences
from ms_notifications.domain.rules import (
    answer_completed,
    document_changed,
    model_promoted,
    session_revoked,
    training_finished,
    who,
)

ADA, BOB, CY = "users/ada", "users/bob", "users/cy"


def test_the_actor_and_service_accounts_are_never_told_and_each_person_once() -> None:
    told = document_changed(
        "spaces/s/documents/d",
        "Plan",
        ADA,
        "Ada",
        [ADA, BOB, "serviceAccounts/indexer", CY, BOB],
        created=False,
    )
    assert told.recipients == (BOB, CY)
    assert told.intent.group_key == "spaces/s/documents/d#edits"
    assert told.intent.title("Ada", 1) == "Ada edited Plan"


def test_grouped_titles_count_the_distinct_actors_and_show_the_latest_first() -> None:
    assert [who("Ada", count) for count in (1, 2, 4)] == [
        "Ada",
        "Ada and 1 other",
        "Ada and 3 others",
    ]
    assert merged_actors(BOB, (ADA, BOB, CY)) == (BOB, ADA, CY)
    many = tuple(f"users/u{number}" for number in range(5))
    assert merged_actors(ADA, many) == (ADA, *many[:4])


def test_only_finished_training_tells_and_a_promotion_is_no_news_to_whoever_did_it() -> None:
    assert training_finished("models/m/trainingJobs/j", "Ranker", 2, "", ADA) is None
    done = training_finished("models/m/trainingJobs/j", "Ranker", 3, "", ADA)
    assert done is not None and done.intent.title("", 0) == "Training of Ranker succeeded"
    assert model_promoted("models/m/versions/2", 3, ADA, ADA, "Ada").recipients == ()
    assert model_promoted("models/m/versions/2", 3, ADA, BOB, "Bob").recipients == (ADA,)


def test_an_answer_tells_whoever_asked_with_the_question_shortened() -> None:
    told = answer_completed("users/bob/conversations/c", BOB, "why " * 200)
    assert told.recipients == (BOB,)
    assert len(told.intent.body) == 280 and told.intent.body.endswith("…")


def test_security_notices_reach_in_app_and_email_whatever_was_chosen_or_unsubscribed() -> None:
    muted = Preferences(
        user=BOB,
        categories={
            Category.ACCOUNT: CategoryPreference(Category.ACCOUNT, frozenset()),
            Category.DOCUMENT: CategoryPreference(
                Category.DOCUMENT, frozenset({Channel.EMAIL, Channel.PUSH})
            ),
        },
        unsubscribed=frozenset({Category.ACCOUNT, Category.DOCUMENT}),
    )
    assert muted.channels_for(Category.ACCOUNT) == {Channel.IN_APP, Channel.EMAIL}
    assert muted.channels_for(Category.DOCUMENT) == {Channel.IN_APP, Channel.PUSH}
    assert muted.channels_for(Category.CHAT) == {Channel.IN_APP}


def test_a_session_ended_by_anyone_but_its_user_signing_out_is_a_security_notice() -> None:
    assert session_revoked("users/bob/sessions/s", BOB, 1) is None  # signed out
    for reason in (0, 2, 3):
        told = session_revoked("users/bob/sessions/s", BOB, reason)
        assert told is not None and told.recipients == (BOB,)
        assert told.intent.category is Category.ACCOUNT
        assert told.intent.link == "users/bob/sessions/s"
    other = session_revoked("users/ada/sessions/s", BOB, 3)
    assert other is not None and other.intent.link == BOB  # never a link to someone else's
