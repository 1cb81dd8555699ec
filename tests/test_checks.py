from __future__ import annotations

import pytest

from conformance._checks import EXCHANGE_JUDGEMENTS, Verdicts
from conformance._exchange import Exchange
from conformance._status import Status
from conformance.errors import ConformanceFailure, SuiteError
from conformance.judgements import EXCHANGE, Verdict, judgement


def _exchange(status: int = 200, body: object = None, headers: dict[str, str] | None = None, **kw: object) -> Exchange:
    return Exchange(
        method=str(kw.get("method", "GET")),
        url=str(kw.get("url", "https://vault.example/certificates/c1/pending?api-version=7.6")),
        request_headers=dict(kw.get("request_headers", {"x-ms-client-request-id": "abc"})),  # type: ignore[arg-type]
        request_body=None,
        status=status,
        response_headers=headers
        if headers is not None
        else {"content-type": "application/json; charset=utf-8", "x-ms-client-request-id": "abc"},
        response_body=body,
    )


def test_pass_is_recorded_and_returns_true() -> None:
    verdicts = Verdicts("S06", frozenset({"S06-409-CREATE"}))
    assert verdicts.check("S06-409-CREATE", True, "create")
    [record] = verdicts.records()
    assert (record.requirement, record.status) == ("S06-409-CREATE", Status.PASS)
    assert verdicts.failure() is None


def test_must_departure_is_collected_and_the_test_goes_on() -> None:
    verdicts = Verdicts("S06", frozenset({"S06-409-CREATE", "S06-409-IMPORT"}), secrets=("tok",))
    assert not verdicts.check(
        "S06-409-CREATE", False, "A second create", expected=409, received=202, exchange=_exchange(202)
    )
    assert verdicts.check("S06-409-IMPORT", True, "import")  # judged after the departure
    failure = verdicts.failure()
    assert isinstance(failure, ConformanceFailure)
    assert failure.requirement == "S06-409-CREATE" and failure.scenario == "S06"
    assert "Received: 202. Documented: 409." in str(failure)
    assert str(failure).startswith("[S06 S06-409-CREATE MUST]")
    assert failure.evidence is not None and failure.evidence["response"]["status"] == 202
    statuses = {record.requirement: record.status for record in verdicts.records()}
    assert statuses == {"S06-409-CREATE": Status.FAIL, "S06-409-IMPORT": Status.PASS}


def test_several_must_departures_fail_together() -> None:
    verdicts = Verdicts("S06", frozenset({"S06-409-CREATE", "S06-409-IMPORT"}))
    verdicts.check("S06-409-CREATE", False, "create", expected=409, received=202)
    verdicts.check("S06-409-IMPORT", False, "import", expected=409, received=200)
    failure = verdicts.failure()
    assert failure is not None and len(failure.failures) == 2
    assert str(failure).splitlines()[0] == "2 MUST departures:"
    assert "[S06 S06-409-IMPORT MUST] import. Received: 200" in str(failure)


def test_should_departure_warns_and_is_no_failure() -> None:
    verdicts = Verdicts("S01", frozenset({"S01-RETRY-AFTER"}))
    assert verdicts.check("S01-RETRY-AFTER", False, "Retry-After", expected="seconds", received="none") is False
    assert verdicts.records()[0].status is Status.WARN
    assert verdicts.failure() is None


def test_the_gravest_finding_wins_and_counts_add_up() -> None:
    verdicts = Verdicts("S05", frozenset({"S05-OVERWRITTEN-IMPORT"}))
    verdicts.check("S05-OVERWRITTEN-IMPORT", True, "x")
    verdicts.check("S05-OVERWRITTEN-IMPORT", False, "y", expected=404, received=200)
    verdicts.check("S05-OVERWRITTEN-IMPORT", True, "z")
    [record] = verdicts.records()
    assert (record.status, record.count) == (Status.WARN, 3)
    assert record.message.startswith("y.")


def test_not_judged_is_recorded_and_a_later_verdict_wins() -> None:
    verdicts = Verdicts("S03", frozenset({"S03-TARGET"}))
    verdicts.unjudged("S03-TARGET", "blocked by S03-COMPLETED")
    [record] = verdicts.records()
    assert (record.status, record.count, record.message) == (Status.SKIP, 0, "not judged: blocked by S03-COMPLETED")
    assert not verdicts.judged("S03-TARGET")
    verdicts.add(Verdict("S03-TARGET", True, "target"))
    assert (record.status, record.count) == (Status.PASS, 1) and verdicts.judged("S03-TARGET")


def test_undeclared_or_unknown_requirement_is_a_suite_bug() -> None:
    verdicts = Verdicts("S06", frozenset({"S06-409-CREATE"}))
    with pytest.raises(SuiteError, match="does not declare"):
        verdicts.check("S06-409-IMPORT", True, "x")
    with pytest.raises(SuiteError, match="unknown requirement"):
        verdicts.check("S99-NOPE", True, "x")


def test_duplicate_exchange_judgement_name_is_refused() -> None:
    with pytest.raises(SuiteError, match="already registered"):
        judgement("API-ERROR-ENVELOPE", on=EXCHANGE)(lambda exchange, context: None)
    assert "error_envelope" in EXCHANGE_JUDGEMENTS


@pytest.mark.parametrize(
    ("exchange", "requirement", "status"),
    [
        (_exchange(404, {"error": {"code": "X", "message": "y"}}), "API-ERROR-ENVELOPE", Status.PASS),
        (_exchange(404, {"message": "y"}), "API-ERROR-ENVELOPE", Status.FAIL),
        (_exchange(500, {"error": {"code": 1, "message": "y"}}), "API-ERROR-ENVELOPE", Status.FAIL),
        (_exchange(200, {"a": 1}, {"content-type": "text/plain"}), "API-CONTENT-TYPE", Status.WARN),
        (
            _exchange(200, {"a": 1}, {"content-type": "application/json", "x-ms-client-request-id": "other"}),
            "API-CLIENT-REQUEST-ID",
            Status.WARN,
        ),
    ],
)
def test_exchange_checks_record_but_never_raise(exchange: Exchange, requirement: str, status: Status) -> None:
    verdicts = Verdicts("API", frozenset())
    verdicts.observe(exchange)
    records = {record.requirement: record for record in verdicts.records()}
    assert records[requirement].status is status
    if status is not Status.PASS:
        assert records[requirement].evidence is not None


def test_schema_drift_is_caught_on_any_exchange() -> None:
    verdicts = Verdicts("S02", frozenset())
    verdicts.observe(_exchange(200, {"id": 5, "status": ["not", "a", "string"]}))
    records = {record.requirement: record for record in verdicts.records()}
    assert records["API-SCHEMA"].status is Status.FAIL


def test_no_response_is_not_observed() -> None:
    verdicts = Verdicts("API", frozenset())
    exchange = _exchange()
    exchange.status = None
    verdicts.observe(exchange)
    assert verdicts.records() == []
