"""Broken copies of real recorded sessions: one documented behaviour changed in the recorded responses.

Independent of ``conformance`` (it reads and writes the two file formats as plain JSON), so that what it breaks is
not shaped by what the judge happens to read. Each mutation kind changes one exchange and names the requirement(s)
the judge must then fail; a kind that finds no exchange to change in a session does not apply to it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

__all__ = ["KINDS", "QUIRKS", "Mutant", "View", "load", "mutants", "quirked"]


class View:
    """One recorded exchange of either format, read and changed through the same few methods."""

    def __init__(self, entry: dict[str, Any], har: bool) -> None:
        self.entry, self.har = entry, har

    @property
    def method(self) -> str:
        return str(self.entry["request"]["method"] if self.har else self.entry["RequestMethod"]).upper()

    @property
    def url(self) -> str:
        return str(self.entry["request"]["url"] if self.har else self.entry["RequestUri"])

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.rstrip("/").lower()

    @property
    def status(self) -> int:
        return int(self.entry["response"]["status"] if self.har else self.entry["StatusCode"])

    @status.setter
    def status(self, value: int) -> None:
        if self.har:
            self.entry["response"]["status"] = value
        else:
            self.entry["StatusCode"] = value

    def _headers(self) -> Any:
        return self.entry["response"]["headers"] if self.har else self.entry["ResponseHeaders"]

    def header(self, name: str) -> str | None:
        headers = self._headers()
        if self.har:
            return next((h["value"] for h in headers if h["name"].lower() == name.lower()), None)
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
        return value[0] if isinstance(value, list) else value

    def set_header(self, name: str, value: str | None) -> None:
        headers = self._headers()
        if self.har:
            headers[:] = [h for h in headers if h["name"].lower() != name.lower()]
            if value is not None:
                headers.append({"name": name, "value": value})
            return
        for key in [k for k in headers if k.lower() == name.lower()]:
            del headers[key]
        if value is not None:
            headers[name] = value

    def request_json(self) -> Any:
        body = self.entry["request"].get("postData", {}).get("text") if self.har else self.entry.get("RequestBody")
        return _parse(body)

    def json(self) -> Any:
        body = self.entry["response"].get("content", {}).get("text") if self.har else self.entry.get("ResponseBody")
        return _parse(body)

    def set_json(self, body: Any) -> None:
        if self.har:
            self.entry["response"].setdefault("content", {})["text"] = json.dumps(body)
        elif isinstance(self.entry.get("ResponseBody"), str):
            self.entry["ResponseBody"] = json.dumps(body)
        else:
            self.entry["ResponseBody"] = body

    def is_(self, method: str, tail: str) -> bool:
        return self.method == method and re.search(tail, self.path) is not None


def _parse(body: Any) -> Any:
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return None
    return body


def load(path: str) -> tuple[dict[str, Any], list[View]]:
    """The file's JSON and a view of each of its entries."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if "log" in data:
        return data, [View(entry, True) for entry in data["log"]["entries"]]
    return data, [View(entry, False) for entry in data["Entries"]]


def _status(body: Any) -> str:
    return str(body.get("status", "")).lower() if isinstance(body, dict) else ""


def _issuer(view: View) -> str:
    for body in (view.request_json(), view.json()):
        issuer = (body.get("policy") or {}).get("issuer") if isinstance(body, dict) else None
        if isinstance(body, dict) and issuer is None:
            issuer = body.get("issuer")
        if isinstance(issuer, dict) and isinstance(issuer.get("name"), str):
            return str(issuer["name"]).lower()
    return ""


_CREATE, _PENDING, _MERGE = r"/certificates/[^/]+/create$", r"/certificates/[^/]+/pending$", r"/pending/merge$"


def _after_create(views: list[View], index: int) -> View | None:
    """The last accepted create before ``index`` of the same certificate, with no DELETE pending in between."""
    name = views[index].path.split("/certificates/")[-1].split("/")[0]
    for view in reversed(views[:index]):
        if f"/certificates/{name}/" not in view.path + "/":
            continue
        if view.is_("DELETE", _PENDING) or view.is_("POST", _MERGE):
            return None
        if view.is_("POST", _CREATE):
            return view if view.status == 202 else None
    return None


Finder = Callable[[list[View]], Iterator[tuple[View, tuple[str, ...]]]]


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    what: str
    find: Finder
    change: Callable[[View], None]


def _gets(views: list[View], status: str) -> Iterator[tuple[int, View]]:
    for index, view in enumerate(views):
        if view.is_("GET", _PENDING) and view.status == 200 and "request_id=" not in view.url:
            if _status(view.json()) == status:
                yield index, view


def _find_read_in_progress(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    for index, view in _gets(views, "inprogress"):
        if _after_create(views, index) is not None:
            yield view, ("S02-GET-200", "S10-STAYS-IN-PROGRESS")


def _edit(**changes: Any) -> Callable[[View], None]:
    def change(view: View) -> None:
        body = dict(view.json())
        for key, value in changes.items():
            if value is _DROP:
                body.pop(key, None)
            else:
                body[key] = value
        view.set_json(body)

    return change


_DROP = object()


def _find(method: str, tail: str, code: int, required: tuple[str, ...], **where: Any) -> Finder:
    def find(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
        for view in views:
            if view.is_(method, tail) and view.status == code and _matches(view, where):
                yield view, required

    return find


def _matches(view: View, where: dict[str, Any]) -> bool:
    body = view.json()
    for key, wanted in where.items():
        if key == "issuer":
            if (_issuer(view) in ("unknown", "")) != (wanted == "manual"):
                return False
        elif key == "status":
            if _status(body) not in (wanted, {"cancelled": "canceled"}.get(wanted)):
                return False
        elif key == "has":
            if not isinstance(body, dict) or wanted not in body:
                return False
        elif key == "header" and view.header(wanted) is None:
            return False
    return True


def _find_location(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    """A create's Location, in a session whose recorder evidently keeps Location (another response carries one):
    when none does, a dropped Location cannot be told from a recorder that strips it."""
    carrying = [view for view in views if view.header("location") is not None]
    for view in carrying:
        if (
            view.is_("POST", _CREATE)
            and view.status == 202
            and _issuer(view) not in ("unknown", "")
            and len(carrying) > 1
        ):
            yield view, ("S01-LOCATION",)


def _find_self_completed(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    for index, view in _gets(views, "completed"):
        create = _after_create(views, index)
        cancelled = any(v.is_("PATCH", _PENDING) for v in views[:index])
        if create is not None and _issuer(create) == "self" and not cancelled:
            yield view, ("S03-COMPLETED", "S03-STAYS-COMPLETED")  # the latter when an earlier read was completed


def _find_manual_read(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    for index, view in _gets(views, "inprogress"):
        create = _after_create(views, index)
        cancelled = any(v.is_("PATCH", _PENDING) for v in views[:index])
        if create is not None and _issuer(create) in ("unknown", "") and not cancelled:
            yield view, ("S10-STAYS-IN-PROGRESS", "S02-GET-200")


def _find_gone(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    for index, view in enumerate(views):
        if view.is_("GET", _PENDING) and view.status == 404:
            if any(v.is_("DELETE", _PENDING) and v.status == 200 for v in views[:index]):
                yield view, ("S05-DELETED-404", "S09-GONE-404")


def _find_vanishing(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    """A read of an operation nothing removed: made to answer 404 as if it had disappeared."""
    for index, view in enumerate(views):
        if view.is_("GET", _PENDING) and view.status == 200 and isinstance(view.json(), dict):
            if _after_create(views, index) is not None and "request_id=" not in view.url:
                yield view, ("S05-NOT-REMOVED",)


def _vanish(view: View) -> None:
    view.status = 404
    view.set_json({"error": {"code": "PendingCertificateNotFound", "message": "Pending certificate not found"}})


def _change_code(view: View) -> None:
    view.set_json({"error": {"code": "NotFound", "message": "gone"}})


def _set_status(code: int) -> Callable[[View], None]:
    def change(view: View) -> None:
        view.status = code

    return change


def _conflict_400(view: View) -> None:
    view.status = 400


def _content_type(view: View) -> None:
    view.set_header("Content-Type", "text/plain")


def _no_challenge(view: View) -> None:
    view.set_header("WWW-Authenticate", None)


def _no_message(view: View) -> None:
    body = copy.deepcopy(view.json())
    body["error"].pop("message", None)
    view.set_json(body)


def _envelopes(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    for view in views:
        body = view.json()
        if view.status >= 400 and view.status != 401 and isinstance(body, dict) and isinstance(body.get("error"), dict):
            yield view, ("API-ERROR-ENVELOPE",)


def _json_answers(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    for view in views:
        if "/certificates/" in view.path and isinstance(view.json(), dict) and view.status < 400:
            yield view, ("API-CONTENT-TYPE", "API-SCHEMA")


def _challenges(views: list[View]) -> Iterator[tuple[View, tuple[str, ...]]]:
    for view in views:
        if view.status == 401 and view.header("www-authenticate") and "/certificates/" in view.path:
            yield view, ("AUTH-401-CHALLENGE",)


KINDS: tuple[Kind, ...] = (
    # the four kinds of the issue
    Kind(
        "request-id-changes",
        "a GET pending names another request_id",
        _find_read_in_progress,
        _edit(request_id="f" * 32),
    ),
    Kind(
        "merge-200", "a merge answered 200, not 201", _find("POST", _MERGE, 201, ("S11-MERGE-201",)), _set_status(200)
    ),
    Kind("status-word", "a status outside the documented ones", _find_read_in_progress, _edit(status="Pending")),
    Kind(
        "location-dropped",
        "a create's Location dropped",
        _find_location,
        lambda view: view.set_header("Location", None),
    ),
    # one kind for each MUST requirement a recording can show
    Kind(
        "create-200",
        "a create answered 200, not 202",
        _find("POST", _CREATE, 202, ("S01-CREATE-202",), issuer="issuer"),
        _set_status(200),
    ),
    Kind(
        "operation-flag",
        "the 202 operation reads cancellation_requested true",
        _find("POST", _CREATE, 202, ("S01-OPERATION",), issuer="issuer", has="cancellation_requested"),
        _edit(cancellation_requested=True),
    ),
    Kind(
        "csr-garbled",
        "the 202 operation's csr is not a PKCS#10",
        _find("POST", _CREATE, 202, ("S01-CSR",), issuer="issuer", has="csr"),
        _edit(csr="bm90IGEgY3Ny"),
    ),
    Kind(
        "self-not-completed",
        "a Self operation ends failed",
        _find_self_completed,
        _edit(status="failed", error={"code": "x", "message": "y"}),
    ),
    Kind(
        "target-dropped",
        "a completed operation without target",
        _find("GET", _PENDING, 200, ("S03-TARGET",), status="completed", has="target"),
        _edit(target=_DROP),
    ),
    Kind(
        "completed-error",
        "a completed operation with an error",
        _find("GET", _PENDING, 200, ("S03-NO-ERROR",), status="completed"),
        _edit(error={"code": "x", "message": "y"}),
    ),
    Kind(
        "cancelled-flag",
        "a cancelled operation reads cancellation_requested false",
        _find("GET", _PENDING, 200, ("S04-CANCELLED",), status="cancelled"),
        _edit(cancellation_requested=False),
    ),
    Kind(
        "failed-error",
        "a failed operation without error",
        _find("GET", _PENDING, 200, ("S04-FAILED-ERROR",), status="failed"),
        _edit(error=_DROP),
    ),
    Kind("gone-code", "a removed operation answers 404 with another code", _find_gone, _change_code),
    Kind("vanishes", "an operation nothing removed answers 404", _find_vanishing, _vanish),
    Kind(
        "conflict-400",
        "a create while inProgress answered 400, not 409",
        _find("POST", _CREATE, 409, ("S06-409-CREATE",)),
        _conflict_400,
    ),
    Kind(
        "cancel-echo",
        "PATCH cancel answers cancellation_requested false",
        _find("PATCH", _PENDING, 200, ("S08-CANCEL-200",), has="cancellation_requested"),
        _edit(cancellation_requested=False),
    ),
    Kind(
        "delete-request-id",
        "DELETE pending answers another request_id",
        _find("DELETE", _PENDING, 200, ("S09-DELETE-200",), has="request_id"),
        _edit(request_id="f" * 32),
    ),
    Kind(
        "manual-issuer",
        "a manual create answers issuer Self",
        _find("POST", _CREATE, 202, ("S10-MANUAL-202",), issuer="manual"),
        _edit(issuer={"name": "Self"}),
    ),
    Kind(
        "manual-completes", "a manual operation reads completed unmerged", _find_manual_read, _edit(status="completed")
    ),
    Kind(
        "bundle-x5t",
        "the merged bundle's x5t is wrong",
        _find("POST", _MERGE, 201, ("S11-BUNDLE",), has="x5t"),
        _edit(x5t="AAAA"),
    ),
    Kind("envelope-message", "an error without message", _envelopes, _no_message),
    Kind("content-type", "a JSON answer labelled text/plain", _json_answers, _content_type),
    Kind("challenge-dropped", "a 401 without WWW-Authenticate", _challenges, _no_challenge),
)


@dataclasses.dataclass(frozen=True)
class Mutant:
    kind: str
    index: int  # which entry of the file was changed
    required: tuple[str, ...]  # the judge must fail at least one of them
    data: dict[str, Any]


def mutants(path: str, *, first_only: bool = True) -> Iterator[Mutant]:
    """Every broken copy of the session at ``path``: per kind, its first target (or each one)."""
    original, views = load(path)
    for kind in KINDS:
        for view, required in kind.find(views):
            index = views.index(view)
            data = copy.deepcopy(original)
            copied = load_views(data)[index]
            kind.change(copied)
            yield Mutant(kind.name, index, required, data)
            if first_only:
                break


def load_views(data: dict[str, Any]) -> list[View]:
    if "log" in data:
        return [View(entry, True) for entry in data["log"]["entries"]]
    return [View(entry, False) for entry in data["Entries"]]


# What recorders do to traffic (facts: "Recorded traffic"): applied to a real session, none may make the judge
# fail anything.
def _drop_request_bodies(views: list[View]) -> None:
    for view in views:
        if view.har:
            view.entry["request"].pop("postData", None)
        else:
            view.entry["RequestBody"] = ""


def _drop_queries(views: list[View]) -> None:
    for view in views:
        key = ("request", "url") if view.har else (None, "RequestUri")
        holder = view.entry[key[0]] if key[0] else view.entry
        holder[key[1]] = holder[key[1]].split("?", 1)[0]
        if view.har:
            view.entry["request"]["queryString"] = []


def _placeholder_location(views: list[View]) -> None:
    for view in views:
        if view.header("location") is not None:
            view.set_header("Location", "https://example.com")


def _csr_form(views: list[View]) -> None:
    """After each GET pending that read the operation, one more that asked for the CSR form and got its text."""
    for index in reversed(range(len(views))):
        view = views[index]
        body = view.json()
        if view.is_("GET", _PENDING) and view.status == 200 and isinstance(body, dict) and body.get("csr"):
            extra = copy.deepcopy(view.entry)
            copied = View(extra, view.har)
            copied.set_header("Content-Type", "application/pkcs10")
            if view.har:
                extra["response"]["content"] = {"mimeType": "application/pkcs10", "text": body["csr"]}
                extra["request"]["headers"] = [h for h in extra["request"]["headers"] if h["name"].lower() != "accept"]
            else:
                extra["ResponseBody"] = body["csr"]
                extra["RequestHeaders"] = {k: v for k, v in extra["RequestHeaders"].items() if k.lower() != "accept"}
            views.insert(index + 1, copied)


QUIRKS: dict[str, Callable[[list[View]], None]] = {
    "no-request-bodies": _drop_request_bodies,
    "no-query-strings": _drop_queries,
    "placeholder-location": _placeholder_location,
    "csr-form": _csr_form,
}


def quirked(path: str, quirk: str) -> dict[str, Any]:
    """The session at ``path`` as a recorder with ``quirk`` would have stored it."""
    data, _ = load(path)
    views = load_views(data)
    QUIRKS[quirk](views)
    entries = [view.entry for view in views]
    if "log" in data:
        data["log"]["entries"] = entries
    else:
        data["Entries"] = entries
    return data
