"""The registry: it checks a judgement's declared preconditions, stamps the requirement id, refuses a second one."""

import pytest

from conformance._exchange import Exchange
from conformance.errors import SuiteError
from conformance.judgements import EXCHANGE, JUDGEMENTS, Finding, Judgement, Kind, Unjudged, judgement


def _exchange(status: int | None = 200) -> Exchange:
    return Exchange("GET", "https://v.example/certificates/c/pending", {}, None, status=status)


def test_a_finding_is_stamped_with_the_requirement_and_the_judged_exchange() -> None:
    item = Judgement("S03-TARGET", (Kind.GET_PENDING,), lambda *args: None)
    judged, later = _exchange(), _exchange(404)
    verdict = item.verdict(Finding(False, "what", "expected", "received"), judged)
    assert verdict is not None
    assert (verdict.requirement, verdict.ok, verdict.exchange) == ("S03-TARGET", False, judged)
    assert verdict.message == "what. Received: received. Documented: expected."
    assert item.verdict(Finding(False, exchange=later), judged).exchange is later  # type: ignore[union-attr]
    assert item.verdict(Unjudged("why"), judged).message == "not judged: why"  # type: ignore[union-attr]
    assert item.verdict(None, judged) is None


def test_preconditions_all_hold_or_the_judgement_does_not_apply() -> None:
    item = Judgement("S03-TARGET", (Kind.GET_PENDING,), lambda *args: None, requires=(bool, lambda x: x > 1))
    assert item.applies(2)
    assert not item.applies(1)
    assert not item.applies(0)


def test_a_second_judgement_of_a_requirement_is_refused() -> None:
    with pytest.raises(SuiteError, match="already registered"):
        judgement("S03-TARGET", on=Kind.GET_PENDING)(lambda entry, history, context: None)
    with pytest.raises(SuiteError, match="unknown requirement"):
        judgement("S99-NOPE", on=EXCHANGE)
    assert JUDGEMENTS["S03-TARGET"].name == "target"
