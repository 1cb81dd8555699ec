"""What a recording may have lost is unknown, not a departure; states an operation reaches by itself are allowed
between any two reads; a condition the vault may decline is not applicable when it did not arise."""

from __future__ import annotations

from conformance._exchange import Exchange
from conformance.judgements import Context

from ._build import VAULT, create, exchange, get, judged, operation, real_csr, status_of


def _unrecorded(created: Exchange) -> Exchange:
    created.request_body = None  # older JS and Java recorders keep no request body
    return created


def test_a_create_without_recorded_body_takes_its_issuer_from_the_answer() -> None:
    created = _unrecorded(create("c", "Self"))
    done = get("c", 200, operation("c", "completed", issuer="Self", target=f"{VAULT}/certificates/c"))
    found = judged(created, done)
    assert status_of(found, "S10-STAYS-IN-PROGRESS") == "absent"  # not read as a manual creation
    assert status_of(found, "S02-GET-200") == "pass"
    assert status_of(found, "S03-COMPLETED") == "pass"
    assert status_of(found, "S01-CSR") == "unjudged"  # the policy's subject is unknown


def test_a_create_whose_issuer_nobody_knows_is_not_held_to_a_manual_creation() -> None:
    created = _unrecorded(create("c", "Self", body=operation("c", issuer=None)))
    found = judged(created, get("c", 200, operation("c", "completed", issuer=None)))
    assert status_of(found, "S10-STAYS-IN-PROGRESS") == "absent"
    assert status_of(found, "S10-NO-ISSUER") == "absent"


def test_the_csr_form_of_get_pending_is_not_an_operation() -> None:
    csr = real_csr("c")
    text = Exchange(
        "GET",
        f"{VAULT}/certificates/c/pending?api-version=7.6",
        {},
        None,
        200,
        {"content-type": "text/plain"},
        None,
        csr,
    )
    found = judged(create("c", "Unknown"), text)
    assert status_of(found, "S02-GET-200") == "absent"
    assert status_of(found, "S10-STAYS-IN-PROGRESS") == "absent"


def test_a_delete_after_the_operation_completed_by_itself_passes() -> None:
    done = operation("c", "completed", issuer="Self")
    found = judged(
        create("c", "Self"),
        get("c", 200, operation("c", issuer="Self")),
        exchange("DELETE", "/certificates/c/pending", 200, done),
        get("c", 404, {"error": {"code": "PendingCertificateNotFound", "message": "gone"}}),
    )
    assert status_of(found, "S09-DELETE-200") == "pass"
    assert status_of(found, "S05-DELETED-404") == "pass"


def test_a_request_recorded_without_any_query_string_is_no_evidence_of_a_missing_api_version() -> None:
    created = create("c", "Self")
    created.url = created.url.split("?")[0]
    from conformance.judgements import judge_exchange

    recorded = [
        v for v in judge_exchange(created, Context(knows_query=False)) if v.requirement == "API-VERSION-REQUIRED"
    ]
    assert recorded and recorded[0].unjudged is not None
    driven = [v for v in judge_exchange(created, Context()) if v.requirement == "API-VERSION-REQUIRED"]
    assert driven and not driven[0].ok


def test_a_read_that_names_another_request_id_or_an_undocumented_status_departs() -> None:
    for body in (operation("c", issuer="Self", request_id="other"), operation("c", "Pending", issuer="Self")):
        found = judged(create("c", "Self"), get("c", 200, body))
        assert status_of(found, "S02-GET-200") == "fail", body


def test_an_instant_cancellation_is_judged_on_the_read_that_follows() -> None:
    cancelled = operation("c", "cancelled", cancellation_requested=True)
    patch = exchange("PATCH", "/certificates/c/pending", 200, cancelled, sent={"cancellation_requested": True})
    found = judged(create("c", "Unknown"), patch, get("c", 200, cancelled))
    assert status_of(found, "S04-CANCELLED") == "pass"
    assert status_of(found, "S05-NOT-REMOVED") == "pass"


def test_a_cancelled_operation_that_disappears_departs() -> None:
    patch = exchange(
        "PATCH",
        "/certificates/c/pending",
        200,
        operation("c", cancellation_requested=True),
        sent={"cancellation_requested": True},
    )
    gone = get("c", 404, {"error": {"code": "PendingCertificateNotFound", "message": "gone"}})
    found = judged(create("c", "Unknown"), patch, gone)
    assert status_of(found, "S05-NOT-REMOVED") == "fail"
    message = found["S05-NOT-REMOVED"][0].message
    assert "nothing deleted or overwrote" in message and "404 PendingCertificateNotFound" in message


def test_a_provider_request_that_did_not_fail_makes_s04_failed_not_applicable() -> None:
    done = operation("c", "completed", issuer="Test", target=f"{VAULT}/certificates/c")
    found = judged(create("c", "Test"), get("c", 200, done))
    [verdict] = found["S04-FAILED"]
    assert verdict.ok and verdict.not_applicable is not None and "may fail or not" in verdict.message


def test_a_location_naming_another_name_behind_a_placeholder_request_host_is_not_judged() -> None:
    # Corpus finding F1: the JS browser recorder renamed the certificate (suffix -0) and the host (keyvault_name)
    # in the request URL and bodies, not in Location.
    created = create("n-0", "Self", location=f"{VAULT}/certificates/n-2095/pending?api-version=7.0&request_id=r1")
    created.url = created.url.replace(VAULT, "https://keyvault_name.vault.azure.net")
    context = Context(sanitised=lambda value: "keyvault_name" in value)
    found = judged(created, context=context)
    assert status_of(found, "S01-LOCATION") == "unjudged"
    assert (
        status_of(
            judged(create("n-0", "Self", location=f"{VAULT}/certificates/n-2095/pending?request_id=r1")), "S01-LOCATION"
        )
        == "fail"
    )  # a request URL the recorder left alone: judged


def test_concurrent_requests_recorded_out_of_order_are_not_judged_on_what_came_before() -> None:
    # Corpus finding F2: creates sent at once (asyncio.gather), recorded in the order they were answered.
    from conformance.judgements import Tracker, judge_entry

    later, earlier = "Tue, 07 Jul 2020 21:05:05 GMT", "Tue, 07 Jul 2020 21:05:04 GMT"
    first = create("c", "Unknown", date=later, location=f"{VAULT}/certificates/c/pending?request_id=r1")
    second = create("c", "Unknown", body=operation("c", request_id="r2"), date=earlier)
    for dated, wanted in ((True, "unjudged"), (False, "fail")):
        tracker = Tracker(dated=dated)
        tracker.add(first)
        history = tracker.add(second)
        assert history is not None
        verdicts = [v for v in judge_entry(history, 1, Context()) if v.requirement == "S06-409-CREATE"]
        assert status_of({"S06-409-CREATE": verdicts}, "S06-409-CREATE") == wanted


def test_a_server_error_is_not_a_contract_departure() -> None:
    # Corpus finding F3: a transient 500 ServerError the SDK retried with success.
    from conformance.judgements import judge_exchange

    failed = exchange("DELETE", "/certificates/c", 500, {"error": {"code": "ServerError", "message": "ActivityId: x"}})
    [schema] = [v for v in judge_exchange(failed, Context()) if v.requirement == "API-SCHEMA"]
    assert schema.unjudged is not None and "server error" in schema.unjudged
