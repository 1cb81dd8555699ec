"""What a judgement reads: the kind of each exchange, and what is known of a certificate's operation before it.

Both front ends build the same model: a scenario from the exchanges it just sent, ``kvconform judge`` from the
exchanges it read. :class:`Tracker` folds exchanges into one :class:`History` per certificate name; each entry keeps
the :class:`Operation` as it stood *before* its exchange, so a judgement sees what the client knew when it sent it.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email.utils
import enum
import functools
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .._exchange import Exchange

__all__ = [
    "Entry",
    "History",
    "IssuerKind",
    "Kind",
    "Operation",
    "Tracker",
    "classify",
    "classify_request",
    "create_issuer",
    "csr_form",
    "decode_x5c",
    "error_code",
    "has_envelope",
    "json_of",
    "norm_status",
    "query",
]

_SPELLINGS = {"canceled": "cancelled"}
FINISHED = frozenset({"completed", "cancelled", "failed"})
STATUSES = FINISHED | {"inprogress"}  # the documented status words (``canceled`` read as ``cancelled``)


class Kind(enum.Enum):
    """What an exchange does to the certificates data plane."""

    CREATE = "create"
    IMPORT = "import"
    GET_PENDING = "get pending"
    PATCH_PENDING = "patch pending"
    DELETE_PENDING = "delete pending"
    MERGE = "merge"
    SET_ISSUER = "set issuer"
    DELETE_CERTIFICATE = "delete certificate"
    PURGE = "purge"
    OTHER = "other"


class IssuerKind(enum.Enum):
    """Who issues: ``Self``, a manual creation (``Unknown`` or no issuer), or an issuer object (a provider)."""

    SELF = "self"
    MANUAL = "manual"
    PROVIDER = "provider"


# Matched at the tail of the path: a vault may sit under a path prefix (a gateway).
_ROUTES: tuple[tuple[str, re.Pattern[str], Kind], ...] = (
    ("POST", re.compile(r"/certificates/([^/]+)/create/?$", re.I), Kind.CREATE),
    ("POST", re.compile(r"/certificates/([^/]+)/import/?$", re.I), Kind.IMPORT),
    ("POST", re.compile(r"/certificates/([^/]+)/pending/merge/?$", re.I), Kind.MERGE),
    ("GET", re.compile(r"/certificates/([^/]+)/pending/?$", re.I), Kind.GET_PENDING),
    ("PATCH", re.compile(r"/certificates/([^/]+)/pending/?$", re.I), Kind.PATCH_PENDING),
    ("DELETE", re.compile(r"/certificates/([^/]+)/pending/?$", re.I), Kind.DELETE_PENDING),
    ("PUT", re.compile(r"/certificates/issuers/([^/]+)/?$", re.I), Kind.SET_ISSUER),
    ("DELETE", re.compile(r"/certificates/([^/]+)/?$", re.I), Kind.DELETE_CERTIFICATE),
    ("DELETE", re.compile(r"/deletedcertificates/([^/]+)/?$", re.I), Kind.PURGE),
)


def classify(exchange: Exchange) -> tuple[Kind, str | None]:
    """The kind of ``exchange`` and the certificate (or issuer) name it addresses, from its method and path."""
    return _classify(exchange.method.upper(), exchange.url)


def classify_request(method: str, url: str) -> tuple[Kind, str | None]:
    """:func:`classify` of a request known only by its method and URL."""
    return _classify(method.upper(), url)


@functools.lru_cache(maxsize=1024)
def _classify(method: str, url: str) -> tuple[Kind, str | None]:
    path = unquote(urlsplit(url).path)
    for wanted, pattern, kind in _ROUTES:
        if method != wanted:
            continue
        match = pattern.search(path)
        if match is not None and not (kind is Kind.DELETE_CERTIFICATE and match.group(1).lower() == "issuers"):
            return kind, match.group(1)
    return Kind.OTHER, None


def query(exchange: Exchange, name: str) -> str | None:
    """A query parameter of the request (names are percent-decoded, as the JS SDK encodes them)."""
    values = _query(exchange.url).get(name)
    return values[0] if values else None


@functools.lru_cache(maxsize=256)
def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def norm_status(body: Any) -> str:
    """An operation's status, lower-cased, with the seed's ``canceled`` read as ``cancelled``."""
    status = body.get("status") if isinstance(body, dict) else None
    text = str(status).lower() if status is not None else ""
    return _SPELLINGS.get(text, text)


def json_of(exchange: Exchange) -> dict[str, Any]:
    """The JSON object an exchange answered, or an empty dict when it answered something else."""
    return exchange.response_body if isinstance(exchange.response_body, dict) else {}


def csr_form(exchange: Exchange) -> bool:
    """Whether ``exchange`` is the CSR form of GET pending (``Accept: application/pkcs10``): it answers the bare
    base64 CSR as text, not the operation. A recorder may have dropped the ``Accept`` header, so a 200 whose text
    body is a base64 DER CSR is that form too."""
    if exchange.status != 200 or isinstance(exchange.response_body, dict):
        return False
    accept = exchange.request_headers.get("Accept") or exchange.request_headers.get("accept") or ""
    if "pkcs10" in accept.lower() or "pkcs10" in (exchange.header("content-type") or "").lower():
        return True
    text = exchange.response_body if isinstance(exchange.response_body, str) else exchange.response_text
    text = (text or "").strip().strip('"')
    if not text.startswith("MI"):
        return False
    try:
        return base64.b64decode(text, validate=True).startswith(b"0")
    except (binascii.Error, ValueError):
        return False


def error_code(body: Any) -> Any:
    """``error.code`` of an error envelope, or None."""
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def has_envelope(body: Any) -> bool:
    """Whether ``body`` is ``{"error": {"code": str, "message": str}}``."""
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)


def decode_x5c(entry: str) -> bytes:
    """The DER of one ``x5c`` entry: base64 of the DER, or base64 of the certificate's base64 or PEM text (what the
    Python and JS SDKs send; the real service accepts all three). ValueError when it is none of them."""
    try:
        raw = base64.b64decode(entry, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"x5c entry is not base64 ({exc})") from None
    if raw.startswith((b"0\x82", b"0\x81")):
        return raw
    text = raw.decode("ascii", "replace").strip()
    if "-----BEGIN" in text:
        text = "".join(line for line in text.splitlines() if line and not line.startswith("-----"))
    try:
        inner = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("x5c entry is neither base64 DER nor base64 of a certificate's text") from None
    if not inner.startswith(b"0"):
        raise ValueError("x5c entry does not hold a DER certificate")
    return inner


def _issuer_of(body: Any) -> tuple[str | None, IssuerKind]:
    policy = body.get("policy") if isinstance(body, dict) else None
    issuer = policy.get("issuer") if isinstance(policy, dict) else None
    name = issuer.get("name") if isinstance(issuer, dict) else None
    if not isinstance(name, str) or not name:
        return None, IssuerKind.MANUAL
    if name.lower() == "self":
        return name, IssuerKind.SELF
    if name.lower() == "unknown":
        return name, IssuerKind.MANUAL
    return name, IssuerKind.PROVIDER


def create_issuer(exchange: Exchange) -> tuple[str | None, IssuerKind | None]:
    """Who issues the operation a create starts: from the request's policy; when the recorder kept no request
    body, from the issuer the 202 answer names; None (unknown) when neither says."""
    if isinstance(exchange.request_body, dict):
        return _issuer_of(exchange.request_body)
    got = json_of(exchange).get("issuer")
    name = got.get("name") if isinstance(got, dict) else None
    if not isinstance(name, str) or not name:
        return None, None
    return _issuer_of({"policy": {"issuer": {"name": name}}})


@dataclasses.dataclass
class Operation:
    """What the client knows of one certificate's pending operation at a point of the traffic.

    ``status`` is the last status seen (None: no operation seen yet); ``deleted_from`` the status it had when a
    DELETE removed it. ``replaced_ids`` are the request_ids of operations overwritten by a later create.
    """

    name: str
    request_id: str | None = None
    issuer: str | None = None
    issuer_kind: IssuerKind | None = None
    status: str | None = None
    csr: str | None = None
    subject: str | None = None
    cancel_requested: bool = False
    merged: bool = False
    overwritten: bool = False  # the current operation replaced a finished one
    imported_over: str | None = None  # an import succeeded over an operation with this status
    deleted_from: str | None = None
    replaced_ids: tuple[str, ...] = ()
    certificate_deleted: bool = False  # what a vault keeps of the operation then is not documented

    def snapshot(self) -> Operation:
        """A copy of the operation as it stands (``copy.copy``, without its generic machinery)."""
        copied = object.__new__(Operation)
        copied.__dict__.update(self.__dict__)
        return copied

    @property
    def known(self) -> bool:
        return (
            self.status is not None
            and self.deleted_from is None
            and self.imported_over is None
            and not self.certificate_deleted
        )

    @property
    def in_progress(self) -> bool:
        return self.known and self.status == "inprogress"

    @property
    def finished(self) -> bool:
        return self.known and self.status in FINISHED

    @property
    def stays_in_progress(self) -> bool:
        """A manual operation nobody merged or asked to cancel: it must still be inProgress."""
        return (
            self.in_progress and self.issuer_kind is IssuerKind.MANUAL and not self.cancel_requested and not self.merged
        )


@dataclasses.dataclass(frozen=True)
class Entry:
    """One exchange of a history, with the operation as it stood before it."""

    exchange: Exchange
    kind: Kind
    before: Operation


@dataclasses.dataclass
class History:
    """Every exchange with one certificate name, in order.

    ``unordered``: a recording stored this name's exchanges out of the order the vault answered them (a response's
    ``Date`` earlier than one recorded before it: concurrent requests, recorded as they came back), so what was
    known before an exchange is not known; ``latest`` is the latest such ``Date`` so far (epoch seconds).
    """

    name: str
    entries: list[Entry] = dataclasses.field(default_factory=list)
    unordered: bool = False
    latest: float = 0.0

    def index(self, exchange: Exchange) -> int:
        for position, entry in enumerate(self.entries):
            if entry.exchange is exchange:
                return position
        raise LookupError(f"{exchange.describe()} is not in the history of {self.name}")

    def after(self, entry: Entry, kind: Kind | None = None) -> list[Entry]:
        """The entries later than ``entry`` (of ``kind`` only, when named): the lookahead some judgements need."""
        position = next(index for index, item in enumerate(self.entries) if item is entry)
        return [later for later in self.entries[position + 1 :] if kind is None or later.kind is kind]


class Tracker:
    """Folds exchanges into histories, keeping each certificate's :class:`Operation` up to date."""

    def __init__(self, *, dated: bool = False) -> None:
        """``dated``: the exchanges come from a recording, whose order may not be the vault's (see History)."""
        self.histories: dict[str, History] = {}
        self._operations: dict[str, Operation] = {}
        self._dated = dated

    def add(self, exchange: Exchange) -> History | None:
        """Record ``exchange`` in its history (returned); None when it addresses no certificate or issuer."""
        kind, name = classify(exchange)
        if name is None:
            return None
        if kind is Kind.SET_ISSUER:
            key = f"issuer:{name.lower()}"
            history = self.histories.setdefault(key, History(name))
            history.entries.append(Entry(exchange, kind, Operation(name=name)))
            return history
        key = name.lower()
        operation = self._operations.setdefault(key, Operation(name=name))
        history = self.histories.setdefault(key, History(name))
        history.entries.append(Entry(exchange, kind, operation.snapshot()))
        if self._dated:
            when = _date(exchange.header("date"))
            if when is not None:
                history.unordered = history.unordered or when < history.latest
                history.latest = max(history.latest, when)
        _advance(operation, kind, exchange)
        return history

    def forget(self, history: History) -> None:
        """Drop ``history`` and what is known of its operation (the traffic judge, once a name fell idle): if the
        name comes back, its operation is unknown again, which leaves judgements that need it unjudged."""
        for key in (history.name.lower(), f"issuer:{history.name.lower()}"):
            if self.histories.get(key) is history:
                del self.histories[key]
                self._operations.pop(key, None)

    def history(self, name: str) -> History:
        return self.histories.setdefault(name.lower(), History(name))


@functools.lru_cache(maxsize=256)
def _date(value: str | None) -> float | None:
    """A ``Date`` header as epoch seconds, or None."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _advance(op: Operation, kind: Kind, exchange: Exchange) -> None:
    """What ``exchange`` tells of the operation afterwards."""
    status = exchange.status
    body = json_of(exchange)
    ok = status is not None and 200 <= status < 300
    if kind is Kind.CREATE and status == 202:
        if op.request_id and op.finished:
            op.replaced_ids = (*op.replaced_ids, op.request_id)
        overwritten = op.finished
        issuer, issuer_kind = create_issuer(exchange)
        policy = exchange.request_body.get("policy") if isinstance(exchange.request_body, dict) else None
        x509_props = policy.get("x509_props") if isinstance(policy, dict) else None
        subject = x509_props.get("subject") if isinstance(x509_props, dict) else None
        fresh = Operation(
            name=op.name,
            request_id=body.get("request_id") if isinstance(body.get("request_id"), str) else None,
            issuer=issuer,
            issuer_kind=issuer_kind,
            status=norm_status(body) or "inprogress",
            csr=body.get("csr") if isinstance(body.get("csr"), str) else None,
            subject=subject if isinstance(subject, str) else None,
            overwritten=overwritten,
            replaced_ids=op.replaced_ids,
        )
        op.__dict__.update(fresh.__dict__)
    elif kind is Kind.IMPORT and ok:
        op.imported_over = op.status if op.status is not None else "none"
        op.request_id = None
    elif kind is Kind.GET_PENDING and status == 200 and body:
        _read_operation(op, body)
    elif kind is Kind.PATCH_PENDING and status == 200:
        # Accepted: the cancellation was requested, whatever the answer echoes (S08-CANCEL-200 judges the echo).
        sent = exchange.request_body
        asked = isinstance(sent, dict) and sent.get("cancellation_requested") is True
        op.cancel_requested = op.cancel_requested or asked or body.get("cancellation_requested") is True
        _read_operation(op, body)
    elif kind is Kind.PATCH_PENDING and status is not None and status < 300:
        op.cancel_requested = True
    elif kind is Kind.DELETE_PENDING and ok and op.deleted_from is None:
        op.deleted_from = norm_status(body) or op.status or "unknown"
    elif kind is Kind.MERGE and ok:
        op.merged = True
        op.status = "completed"
    elif kind is Kind.DELETE_CERTIFICATE and ok:
        op.certificate_deleted = True


def _read_operation(op: Operation, body: dict[str, Any]) -> None:
    status = norm_status(body)
    if status:
        op.status = status
    if op.request_id is None and isinstance(body.get("request_id"), str):
        op.request_id = body["request_id"]
    if op.csr is None and isinstance(body.get("csr"), str):
        op.csr = body["csr"]
    if op.issuer_kind is None:
        issuer = body.get("issuer")
        name = issuer.get("name") if isinstance(issuer, dict) else None
        op.issuer, op.issuer_kind = _issuer_of({"policy": {"issuer": {"name": name}}})
