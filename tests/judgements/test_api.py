"""Exchange-level judgements: the challenge, api-version, a body that is not JSON."""

from __future__ import annotations

from conformance._exchange import Exchange
from conformance.judgements import Context, judge_exchange, never_published

from ._build import VAULT

ENVELOPE = {"error": {"code": "BadParameter", "message": "m"}}


def _ask(
    url: str,
    status: int,
    body: object = None,
    *,
    headers: dict[str, str] | None = None,
    sent: object = None,
    token: bool = True,
    method: str = "GET",
) -> Exchange:
    return Exchange(
        method=method,
        url=f"{VAULT}{url}",
        request_headers={"Authorization": "Bearer t"} if token else {},
        request_body=sent,
        status=status,
        response_headers=headers or {"content-type": "application/json"},
        response_body=body,
    )


def _status(exchange: Exchange, requirement: str, context: Context | None = None) -> str:
    verdicts = [v for v in judge_exchange(exchange, context or Context()) if v.requirement == requirement]
    if not verdicts:
        return "absent"
    return "pass" if all(v.ok for v in verdicts) else "fail"


def test_the_challenge() -> None:
    challenge = {
        "www-authenticate": 'Bearer authorization="https://login.windows.net/t", resource="https://vault.azure.net"'
    }
    assert _status(_ask("/certificates/c/create", 401, headers=challenge, token=False), "AUTH-401-CHALLENGE") == "pass"
    assert _status(_ask("/certificates/c/create", 401, token=False), "AUTH-401-CHALLENGE") == "fail"
    served = _ask("/certificates/c/pending?api-version=7.6", 200, {"id": "x"}, token=False)
    assert _status(served, "AUTH-401-CHALLENGE") == "fail"
    # From a recording, whose Authorization headers may have been removed, only 401s are judged.
    assert _status(served, "AUTH-401-CHALLENGE", Context(knows_authorization=False)) == "absent"


def test_api_version_required_and_unknown() -> None:
    assert _status(_ask("/certificates/c/pending", 400, ENVELOPE), "API-VERSION-REQUIRED") == "pass"
    assert _status(_ask("/certificates/c/pending", 200, {"id": "x"}), "API-VERSION-REQUIRED") == "fail"
    assert _status(_ask("/certificates/c/pending?api-version=1999-01-01", 200, {}), "API-VERSION-UNKNOWN") == "fail"
    assert _status(_ask("/certificates/c/pending?api-version=7.6", 200, {}), "API-VERSION-UNKNOWN") == "absent"
    assert _status(_ask("/certificates/c/pending?api-version=2031-01-01", 200, {}), "API-VERSION-UNKNOWN") == "absent"
    assert never_published("1999-01-01") and never_published("banana") and not never_published("2025-07-01")


def test_a_body_that_is_not_json() -> None:
    broken = '{"policy": {"x509_props": '
    refused = _ask("/certificates/c/create?api-version=7.6", 400, ENVELOPE, sent=broken, method="POST")
    crashed = _ask("/certificates/c/create?api-version=7.6", 500, None, sent=broken, method="POST")
    assert _status(refused, "API-MALFORMED-JSON") == "pass"
    assert _status(crashed, "API-MALFORMED-JSON") == "fail"
    assert (
        _status(
            _ask("/certificates/c/create?api-version=7.6", 202, {}, sent={"policy": {}}, method="POST"),
            "API-MALFORMED-JSON",
        )
        == "absent"
    )
