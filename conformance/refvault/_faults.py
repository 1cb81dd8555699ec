"""The fault catalogue: named departures from the documented behaviour the reference vault can be told to make.

Each fault is a small switch checked inside the normal handlers (never a copy of one), so that the suite can be
shown to catch it. Each names the one requirement the suite should then see broken; ``also`` lists the other
requirements a fault unavoidably breaks too (empty for most).
"""

from __future__ import annotations

import dataclasses

__all__ = ["FAULTS", "Fault"]


@dataclasses.dataclass(frozen=True)
class Fault:
    """One named departure from the documented behaviour."""

    name: str
    description: str
    scenario: str
    requirement: str
    also: tuple[str, ...] = ()


_CATALOGUE = (
    # -- S01 ---------------------------------------------------------------------------------------------
    Fault(
        "create-200",
        "A create with an issuer (Self or an issuer object) answers 200, not 202; manual creates still answer 202.",
        "S01",
        "S01-CREATE-202",
        also=("API-SCHEMA",),
    ),
    Fault(
        "location-without-request-id",
        "The 202's Location header points at the pending operation without its request_id.",
        "S01",
        "S01-LOCATION",
    ),
    Fault(
        "id-without-pending",
        "The operation's id is the certificate's URL, without the /pending suffix.",
        "S01",
        "S01-OPERATION",
    ),
    Fault(
        "csr-wrong-subject",
        "The CSR's subject is a fixed CN=kvconform-refvault, not the policy's subject.",
        "S01",
        "S01-CSR",
    ),
    Fault(
        "no-status-details",
        "Operations created with an issuer carry no status_details (manual ones still do).",
        "S01",
        "S01-STATUS-DETAILS",
    ),
    Fault("no-retry-after", "The create's 202 has no Retry-After header.", "S01", "S01-RETRY-AFTER"),
    # -- S02 ---------------------------------------------------------------------------------------------
    Fault(
        "pending-202-while-in-progress",
        "GET on an inProgress operation answers 202 instead of 200.",
        "S02",
        "S02-GET-200",
        # Every check that reads an inProgress operation expects its documented 200.
        also=("S05-OVERWRITTEN-CREATE", "S10-STAYS-IN-PROGRESS", "API-SCHEMA"),
    ),
    Fault(
        "request-id-always-404",
        "GET, PATCH and DELETE on the operation answer 404 whenever a request_id is given, even its own.",
        "S02",
        "S02-REQUEST-ID-MATCH",
    ),
    Fault(
        "request-id-ignored",
        "The request_id query parameter is ignored: another operation's id still answers 200.",
        "S02",
        "S02-REQUEST-ID-FILTER",
        also=("S05-OVERWRITTEN-CREATE",),
    ),
    Fault(
        "pending-without-retry-after",
        "GET on an inProgress operation has no Retry-After header (the 202 still has one).",
        "S02",
        "S02-RETRY-AFTER",
    ),
    # -- S03 ---------------------------------------------------------------------------------------------
    Fault(
        "self-issuance-fails",
        "Operations with issuer Self end failed instead of completed.",
        "S03",
        "S03-COMPLETED",
    ),
    Fault(
        "relative-target",
        "A completed operation's target is the relative path /certificates/{name}.",
        "S03",
        "S03-TARGET",
    ),
    Fault(
        "completed-with-error",
        "A completed operation also carries an error object.",
        "S03",
        "S03-NO-ERROR",
    ),
    Fault(
        "completed-read-once",
        "GET shows a completed operation once; later GETs answer 404 (PATCH and DELETE still see it).",
        "S03",
        "S03-STAYS-COMPLETED",
    ),
    Fault(
        "retry-after-when-done",
        "GET on the operation carries Retry-After whatever its status.",
        "S03",
        "S03-NO-RETRY-AFTER",
    ),
    # -- S04 ---------------------------------------------------------------------------------------------
    Fault(
        "patch-only-sets-flag",
        "PATCH sets cancellation_requested but the cancellation never takes effect (the suite waits until timeout).",
        "S04",
        "S04-CANCEL-EFFECTIVE",
    ),
    Fault(
        "cancelled-flag-dropped",
        "A cancelled operation shows cancellation_requested false.",
        "S04",
        "S04-CANCELLED",
    ),
    Fault(
        "rejected-request-completes",
        "A request the issuer rejects (DigiCert, GlobalSign) completes instead of failing.",
        "S04",
        "S04-FAILED",
    ),
    Fault("failed-without-error", "A failed operation carries no error object.", "S04", "S04-FAILED-ERROR"),
    # -- S05 ---------------------------------------------------------------------------------------------
    Fault(
        "wrong-404-code",
        "After a finished operation is deleted, GET answers 404 with code NotFound, not PendingCertificateNotFound.",
        "S05",
        "S05-DELETED-404",
    ),
    Fault(
        "create-keeps-old-request-id",
        "A create over a finished operation reuses the old operation's request_id.",
        "S05",
        "S05-OVERWRITTEN-CREATE",
    ),
    Fault(
        "import-keeps-operation",
        "An import over a finished operation leaves the operation in place.",
        "S05",
        "S05-OVERWRITTEN-IMPORT",
    ),
    # -- S06 ---------------------------------------------------------------------------------------------
    Fault(
        "no-409-while-in-progress",
        "A create while an operation is inProgress replaces it (202) instead of answering 409.",
        "S06",
        "S06-409-CREATE",
    ),
    Fault(
        "import-ignores-pending",
        "An import while an operation is inProgress succeeds (200) and drops the operation.",
        "S06",
        "S06-409-IMPORT",
    ),
    # -- S07 ---------------------------------------------------------------------------------------------
    Fault(
        "merge-allowed-while-in-progress",
        "A merge on an inProgress operation created with an issuer is accepted like a manual one.",
        "S07",
        "S07-MERGE-403",
    ),
    Fault(
        "merge-forbidden-code",
        "The 403 to a merge on an issuer's operation has code OperationNotAllowed, not Forbidden.",
        "S07",
        "S07-MERGE-CODE",
    ),
    # -- S08 ---------------------------------------------------------------------------------------------
    Fault(
        "patch-echoes-old-flag",
        "The PATCH response shows cancellation_requested as it was before the PATCH (the flag is still set).",
        "S08",
        "S08-CANCEL-200",
    ),
    Fault(
        "patch-allowed-when-done",
        "PATCH on an operation that is no longer inProgress answers 200.",
        "S08",
        "S08-CANCEL-REFUSED",
    ),
    # -- S09 ---------------------------------------------------------------------------------------------
    Fault(
        "delete-pending-204",
        "DELETE on the operation answers 204 without a body.",
        "S09",
        "S09-DELETE-200",
        also=("API-SCHEMA",),
    ),
    Fault(
        "delete-pending-keeps-operation",
        "DELETE on an inProgress operation answers 200 but the operation stays.",
        "S09",
        "S09-GONE-404",
    ),
    # -- S10 ---------------------------------------------------------------------------------------------
    Fault(
        "complete-at-once",
        "Every create completes at once with a self-signed certificate (the 202 still says inProgress).",
        "S10",
        "S10-STAYS-IN-PROGRESS",
        also=(
            "S02-GET-200",
            "S04-FAILED",
            "S06-409-CREATE",
            "S06-409-IMPORT",
            "S08-CANCEL-200",
            "S09-DELETE-200",
            "S11-MERGE-201",
            "S11-WRONG-KEY-400",
        ),
    ),
    Fault(
        "status-details-without-merge",
        "A manual operation's status_details does not ask for a merge.",
        "S10",
        "S10-STATUS-DETAILS",
    ),
    Fault(
        "no-issuer-400",
        "A create without policy.issuer answers 400 instead of starting a manual creation.",
        "S10",
        "S10-NO-ISSUER",
    ),
    # -- S11 ---------------------------------------------------------------------------------------------
    Fault("merge-202", "A successful merge answers 202 instead of 201.", "S11", "S11-MERGE-201", also=("API-SCHEMA",)),
    Fault("x5t-hex", "Bundles carry x5t as hex SHA-1 instead of base64url.", "S11", "S11-BUNDLE"),
    Fault(
        "merge-removes-operation",
        "A merge removes the operation instead of completing it (GET answers 404).",
        "S11",
        "S11-OPERATION-COMPLETED",
    ),
    Fault(
        "merge-without-key-check",
        "A merge accepts a certificate whose public key is not the pending key.",
        "S11",
        "S11-WRONG-KEY-400",
    ),
    # -- AUTH --------------------------------------------------------------------------------------------
    Fault(
        "no-challenge", "The 401 to a request without a token has no WWW-Authenticate.", "AUTH", "AUTH-401-CHALLENGE"
    ),
    Fault(
        "no-auth",
        "Requests without a token are served as if they had one.",
        "AUTH",
        "AUTH-401-CHALLENGE",
        also=("FUZZ-IGNORED-AUTH",),
    ),
    # -- API ---------------------------------------------------------------------------------------------
    Fault(
        "api-version-optional",
        "A request without api-version is served.",
        "API",
        "API-VERSION-REQUIRED",
    ),
    Fault("any-api-version", "Any api-version is accepted.", "API", "API-VERSION-UNKNOWN"),
    Fault(
        "500-on-malformed-json",
        "A body that is not JSON answers 500 with a plain-text body.",
        "API",
        "API-MALFORMED-JSON",
        also=("API-ERROR-ENVELOPE", "API-SCHEMA", "FUZZ-SERVER-ERROR"),
    ),
    Fault(
        "bare-404-on-request-id-mismatch",
        'The 404 to a request_id naming another operation has a body without the "error" envelope.',
        "API",
        "API-ERROR-ENVELOPE",
        also=("API-SCHEMA",),
    ),
    Fault(
        "text-content-type",
        "JSON responses are labelled text/plain.",
        "API",
        "API-CONTENT-TYPE",
        also=("API-SCHEMA",),  # the contract checks the media type too
    ),
    Fault(
        "no-client-request-id-echo",
        "x-ms-client-request-id is not echoed.",
        "API",
        "API-CLIENT-REQUEST-ID",
    ),
    Fault(
        "validity-months-as-string",
        "Policies carry x509_props.validity_months as a string, which the contract does not allow.",
        "API",
        "API-SCHEMA",
    ),
    # -- FUZZ --------------------------------------------------------------------------------------------
    Fault(
        "no-name-check",
        "Certificate and issuer names are not checked: any name the URL can carry is accepted.",
        "FUZZ",
        "FUZZ-NEGATIVE-DATA",
    ),
    Fault(
        "crash-on-long-name",
        "A name longer than 127 characters makes the vault fail (500) instead of answering 400.",
        "FUZZ",
        "FUZZ-SERVER-ERROR",
    ),
)

FAULTS: dict[str, Fault] = {fault.name: fault for fault in _CATALOGUE}
