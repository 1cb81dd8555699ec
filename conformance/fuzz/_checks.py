"""Which schemathesis checks the fuzz phase runs, the requirement each one judges, and why the others stay off.

A check is kept only where the Key Vault documentation (the seed and ``shared/facts``) says the real service behaves
as the check expects; a check that would fail the real service is not a conformance test. The reasons below are the
argument: change a decision only with a source that contradicts one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemathesis import Case, HookContext, Response
    from schemathesis.core.failures import Failure

__all__ = ["DROPPED", "KEPT", "TRANSIENT_STATUSES", "keep_failure", "requirement_for"]

TRANSIENT_STATUSES = frozenset({429, 503})

# check name -> the FUZZ requirement a failure of it breaks (requirements.yaml says why each is MUST or SHOULD).
KEPT: dict[str, str] = {
    # Every refusal the service documents is a 4xx (facts: Errors); a 5xx is the vault failing on a request any
    # client can send.
    "not_a_server_error": "FUZZ-SERVER-ERROR",
    # The contract lists, per operation, every status the real service answers, the 4xx ones included.
    "status_code_conformance": "FUZZ-STATUS-CODE",
    # application/json (with charset) on every JSON answer, application/pkcs10 for a CSR (facts: Headers).
    "content_type_conformance": "FUZZ-CONTENT-TYPE",
    # The headers the contract marks required: Location on 202/201, WWW-Authenticate on 401 (facts: Headers).
    "response_headers_conformance": "FUZZ-HEADERS",
    # Every body against the contract's schema, which allows the extra members real bodies carry (facts: Defaults).
    "response_schema_conformance": "FUZZ-SCHEMA",
    # Kept for negated path and query parameters only; see keep_failure for bodies.
    "negative_data_rejection": "FUZZ-NEGATIVE-DATA",
    # After a DELETE answers 2xx the object is gone: GET pending answers 404 after DELETE pending (seed: Delete a
    # pending request object; S09), a deleted certificate or issuer answers 404 too.
    "use_after_free": "FUZZ-USE-AFTER-FREE",
    # Along the contract's links: what a create or a PUT just made is readable at once (GET pending after a 202,
    # facts: S01/S02; GET issuer after PUT).
    "ensure_resource_availability": "FUZZ-STATEFUL",
    # A request without a token meets 401 (facts: Authentication). Its invalid-token probe: see keep_failure.
    "ignored_auth": "FUZZ-IGNORED-AUTH",
}

# check name -> why it is off.
DROPPED: dict[str, str] = {
    "positive_data_acceptance": (
        "the real service refuses requests the schema allows: 400 for an invalid X.500 subject or an unsupported key "
        "type and size (facts: Errors), 400/403 for a merge whose key is not the pending key or a PATCH on a finished "
        "operation (facts: S08, S11), 409 while an operation is inProgress (S06); a schema cannot say so"
    ),
    "missing_required_header": (
        "the contract declares no required request header; the bearer token is a security scheme, judged by "
        "ignored_auth"
    ),
    "unsupported_method": (
        "the contract is the certificate-creation part of the Key Vault API only: methods it leaves out exist on the "
        "real service (PATCH /certificates/{name}/policy, PATCH /certificates/issuers/{name}, PATCH "
        "/certificates/{name}/{version} update objects), so a 405 cannot be required for them"
    ),
    "allow_header_conformance": "judges the Allow header of those 405 answers; the facts record none",
    "object_level_authorization": "needs a second identity; a run has one credential",
}


def requirement_for(check: str) -> str:
    """The FUZZ requirement a failure of ``check`` breaks (a check we did not keep is a suite bug)."""
    return KEPT.get(check, "FUZZ-SERVER-ERROR")


def keep_failure(context: HookContext, failure: Failure, case: Case[Any], response: Response) -> bool:
    """schemathesis' ``filter_failure`` hook: drop the failures the documentation does not back.

    * ``ignored_auth`` also sends the request with a made-up token and expects 401. Which tokens a vault accepts is
      its identity provider's business, not the API's: the documented behaviour is the challenge to a request
      *without* a token (facts: Authentication), and emulators (the reference vault among them) accept any token by
      design. Only the no-token probe is judged.
    * ``negative_data_rejection`` on a request whose only invalid part is the body: the documented refusals of a
      body are of values the service itself checks (an invalid subject, a key that is not the pending key; facts:
      Errors, S11). Nothing documents that a mistyped or null member of an otherwise valid body is refused, and
      lenient JSON binders coerce or ignore such members. Invalid names, query parameters and credentials are
      documented refusals (facts: Errors, Authentication) and stay judged.
    * any failure judged on a 429 or 503 answer: throttling and "try again later" are transient (facts: Errors,
      429 Throttled), not non-conformance. The scenarios retry them (``VaultClient``); a fuzz request is not
      retried, so its answer is simply not judged.
    * ``negative_data_rejection`` on a request whose only invalid query values are empty (``includePending=``):
      the service's query binding reads an empty value of an optional parameter as the parameter left out, and so
      does the reference vault. Nothing documents a refusal.
    """
    from schemathesis.core.failures import AcceptedNegativeData
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation.meta import negated_parameters
    from schemathesis.openapi.checks import AuthScenario, IgnoredAuth

    if response is not None and response.status_code in TRANSIENT_STATUSES:
        return False
    if isinstance(failure, IgnoredAuth):
        # The probe's own answer is only in the message ("Expected 401 or 403, got `429 Too Many Requests`").
        probe = re.search(r"got `(\d{3})", failure.message)
        if probe is not None and int(probe.group(1)) in TRANSIENT_STATUSES:
            return False
        return failure.scenario is AuthScenario.NO_AUTH
    if isinstance(failure, AcceptedNegativeData):
        meta = case.meta
        if meta is None:
            return True
        if meta.is_negative_at(ParameterLocation.PATH) or meta.is_negative_at(ParameterLocation.HEADER):
            return True
        if not meta.is_negative_at(ParameterLocation.QUERY):
            return False  # the body alone
        negated = {name for name, location in negated_parameters(meta) if location is ParameterLocation.QUERY}
        return not negated or any(case.query.get(name) not in ("", None) for name in negated)
    return True
