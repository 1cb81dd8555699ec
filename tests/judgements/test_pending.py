"""Judgements of GET on the pending operation, along the operation's life."""

from __future__ import annotations

from conformance.judgements import Context

from ._build import VAULT, create, exchange, get, judged, operation, status_of

NOT_FOUND = {"error": {"code": "PendingCertificateNotFound", "message": "Pending certificate not found: c1"}}


def _completed(name: str = "c1", **changes: object) -> dict[str, object]:
    body = operation(name, "completed", issuer="Self", target=f"{VAULT}/certificates/{name}", status_details=None)
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def test_a_manual_operation_read_while_in_progress() -> None:
    found = judged(
        create("c1", "Unknown"),
        get("c1", 200, operation("c1"), **{"retry-after": "10"}),
        get("c1", 200, operation("c1"), query="request_id=r1", **{"retry-after": "10"}),
        get("c1", 404, NOT_FOUND, query="request_id=other"),
    )
    for requirement in ("S02-GET-200", "S02-RETRY-AFTER", "S02-REQUEST-ID-MATCH", "S02-REQUEST-ID-FILTER"):
        assert status_of(found, requirement) == "pass", requirement
    assert status_of(found, "S10-STAYS-IN-PROGRESS") == "pass"


def test_an_ignored_request_id_filter_and_a_changing_request_id_fail() -> None:
    found = judged(create("c1", "Unknown"), get("c1", 200, operation("c1"), query="request_id=other"))
    assert status_of(found, "S02-REQUEST-ID-FILTER") == "fail"
    changed = judged(create("c1", "Unknown"), get("c1", 200, operation("c1", request_id="r9")))
    assert status_of(changed, "S02-GET-200") == "fail"


def test_a_self_operation_completes_with_an_absolute_target_on_any_host() -> None:
    found = judged(
        create("c1", "Self", body=operation("c1", issuer="Self")),
        get("c1", 200, operation("c1", issuer="Self"), **{"retry-after": "10"}),
        get("c1", 200, _completed(target="https://canonical.vault.azure.net/certificates/c1")),
        get("c1", 200, _completed()),
    )
    for requirement in ("S03-COMPLETED", "S03-TARGET", "S03-NO-ERROR", "S03-STAYS-COMPLETED", "S03-NO-RETRY-AFTER"):
        assert status_of(found, requirement) == "pass", requirement


def test_completion_departures() -> None:
    relative = judged(
        create("c1", "Self", body=operation("c1", issuer="Self")), get("c1", 200, _completed(target="/certificates/c1"))
    )
    assert status_of(relative, "S03-TARGET") == "fail"
    failed = judged(
        create("c1", "Self", body=operation("c1", issuer="Self")),
        get("c1", 200, operation("c1", "failed", issuer="Self", error={"code": "x", "message": "y"})),
    )
    assert status_of(failed, "S03-COMPLETED") == "fail"
    once = judged(
        create("c1", "Self", body=operation("c1", issuer="Self")),
        get("c1", 200, _completed()),
        get("c1", 404, NOT_FOUND),
    )
    assert status_of(once, "S03-STAYS-COMPLETED") == "fail"
    retry = judged(
        create("c1", "Self", body=operation("c1", issuer="Self")), get("c1", 200, _completed(), **{"retry-after": "10"})
    )
    assert status_of(retry, "S03-NO-RETRY-AFTER") == "fail"
    assert status_of(judged(get("c1", 200, _completed(error={"code": "x", "message": "y"}))), "S03-NO-ERROR") == "fail"


def test_a_header_the_recorder_strips_is_not_judged() -> None:
    context = Context(stripped_headers=frozenset({"retry-after"}))
    found = judged(create("c1", "Unknown"), get("c1", 200, operation("c1")), context=context)
    assert status_of(found, "S02-RETRY-AFTER") == "unjudged"
    assert status_of(judged(create("c1", "Unknown"), get("c1", 200, operation("c1"))), "S02-RETRY-AFTER") == "fail"


def test_cancelled_and_failed_operations() -> None:
    cancel = exchange(
        "PATCH",
        "/certificates/c1/pending",
        200,
        operation("c1", cancellation_requested=True),
        sent={"cancellation_requested": True},
    )
    found = judged(
        create("c1", "Unknown"), cancel, get("c1", 200, operation("c1", "cancelled", cancellation_requested=True))
    )
    assert status_of(found, "S04-CANCELLED") == "pass" and status_of(found, "S04-CANCEL-EFFECTIVE") == "pass"
    dropped = judged(create("c1", "Unknown"), cancel, get("c1", 200, operation("c1", "cancelled")))
    assert status_of(dropped, "S04-CANCELLED") == "fail"
    provider = create("c2", "digi", body=operation("c2", issuer="digi"))
    ok = judged(
        provider,
        get("c2", 200, operation("c2", "failed", issuer="digi", error={"code": "Request rejected", "message": "m"})),
    )
    assert status_of(ok, "S04-FAILED") == "pass" and status_of(ok, "S04-FAILED-ERROR") == "pass"
    bare = judged(provider, get("c2", 200, operation("c2", "failed", issuer="digi")))
    assert status_of(bare, "S04-FAILED-ERROR") == "fail"
    completes = get("c2", 200, operation("c2", "completed", issuer="digi", target=f"{VAULT}/certificates/c2"))
    assert status_of(judged(provider, completes), "S04-FAILED") == "not applicable"  # a provider may succeed
    rejecting = Context(rejected_issuers=frozenset({"digi"}))
    assert status_of(judged(provider, completes, context=rejecting), "S04-FAILED") == "fail"


def test_a_deleted_operation_answers_pending_certificate_not_found() -> None:
    delete = exchange("DELETE", "/certificates/c1/pending", 200, operation("c1"))
    found = judged(create("c1", "Unknown"), delete, get("c1", 404, NOT_FOUND))
    assert status_of(found, "S09-DELETE-200") == "pass" and status_of(found, "S09-GONE-404") == "pass"
    wrong_code = judged(
        create("c1", "Unknown"), delete, get("c1", 404, {"error": {"code": "NotFound", "message": "m"}})
    )
    assert status_of(wrong_code, "S09-GONE-404") == "fail"
    finished = judged(
        create("c1", "Self", body=operation("c1", issuer="Self")),
        get("c1", 200, _completed()),
        exchange("DELETE", "/certificates/c1/pending", 200, _completed()),
        get("c1", 200, _completed()),
    )
    assert status_of(finished, "S05-DELETED-404") == "fail"
