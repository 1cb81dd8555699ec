"""Confining generated object names to the run prefix, so that fuzzing never touches a foreign object.

schemathesis generates path parameters from the contract: names such as ``0``, ``Ab-3`` or a 127-character string
are valid names of objects that may exist on a real vault, and ``DELETE /certificates/0`` would remove somebody
else's certificate. Every request the fuzz phase sends therefore goes through :func:`confine_request` first (a
``before_call`` hook), whatever phase generated it:

* a **valid** name ``v`` becomes ``prefix + v``, cut to the 127-character limit: still valid, and ours;
* an **invalid** name stays invalid, so negative testing keeps its point, but is made harmless: it also starts with
  the prefix, and every character outside ``0-9 a-z A-Z -`` becomes ``_``. ``_`` is itself invalid in a name, means
  nothing in a URL, and survives percent-decoding and Unicode normalisation unchanged. Letting the generated
  characters through could name a real object: ``/`` or its encodings (``%2F``, a full-width ``／`` that a front end
  normalises) and ``.``/``..`` segments move the request to another path; an empty name turns
  ``/certificates//pending`` into ``/certificates/pending`` under a normalising proxy, which names the certificate
  ``pending``. A name that is invalid only by its length (over 127) keeps its length;
* a non-string value (a negative case's number, boolean, array) is sent as its text, so it is confined the same way:
  ``123`` on the wire is the valid name ``123``.

The boundary-names probe (``_boundary``) sends names just outside the rules on purpose; :func:`boundary_names`
makes them already confined, so that :func:`confine_name` leaves them as they are: ``prefix_`` (a character no name
has) and the prefix padded to 128 characters (one past the limit).

The certificate version is not a name, but it is a path segment: the same character rule keeps it from leaving it.
An issuer *reference* in a create or import body (``policy.issuer.name``) is confined too: naming a foreign issuer
object would make the vault order a certificate from that issuer's CA account. ``Self`` and ``Unknown`` are
reserved names, not objects, and stay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import quote, unquote

__all__ = [
    "MAX_NAME_LENGTH",
    "NAME_PARAMETERS",
    "boundary_names",
    "confine_name",
    "confine_request",
    "confine_segment",
    "is_confined_path",
]

MAX_NAME_LENGTH = 127
NAME_PARAMETERS = frozenset({"certificate-name", "issuer-name"})
RESERVED_ISSUERS = frozenset({"self", "unknown"})
_VALID_NAME = re.compile(r"[0-9a-zA-Z-]{1,127}")
_UNSAFE = re.compile(r"[^0-9a-zA-Z-]")


def confine_name(value: object, prefix: str) -> str:
    """``value`` as a name under ``prefix``: valid names stay valid, invalid ones stay invalid, all are ours."""
    _check_prefix(prefix)
    text = _wire_text(value)
    if text.startswith(prefix) and _UNSAFE.sub("_", text) == text:
        return text  # already confined (links and retries re-send the names we made)
    if _VALID_NAME.fullmatch(text):
        return (prefix + text)[:MAX_NAME_LENGTH]
    return prefix + (_UNSAFE.sub("_", text) or "_")


def boundary_names(prefix: str) -> dict[str, str]:
    """Invalid names under ``prefix``, each with why it is invalid: they can name no object on a vault that checks.

    Both are confined already (:func:`confine_name` returns them unchanged): they start with the prefix and carry
    nothing but name characters and ``_``.
    """
    _check_prefix(prefix)
    too_long = prefix + "a" * (MAX_NAME_LENGTH + 1 - len(prefix))  # a prefix has 126 characters at most
    return {prefix + "_": "it contains _", too_long: f"it is {len(too_long)} characters long"}


def confine_segment(value: object) -> str:
    """A path segment that stays one segment: characters outside ``0-9 a-z A-Z -`` become ``_`` (empty stays)."""
    return _UNSAFE.sub("_", _wire_text(value))


def confine_request(
    path_parameters: MutableMapping[str, Any], body: object, prefix: str, *, references_issuer: bool
) -> None:
    """Confine a request in place: its name path parameters, other path segments and its issuer reference."""
    for key, value in list(path_parameters.items()):
        confined = confine_name(value, prefix) if key in NAME_PARAMETERS else confine_segment(value)
        path_parameters[key] = quote(confined, safe="")  # schemathesis keeps path parameters percent-encoded
    if references_issuer and isinstance(body, Mapping):
        policy = body.get("policy")
        issuer = policy.get("issuer") if isinstance(policy, MutableMapping) else None
        if isinstance(issuer, MutableMapping) and isinstance(issuer.get("name"), (str, int, float)):
            name = issuer["name"]
            if not (isinstance(name, str) and name.lower() in RESERVED_ISSUERS):
                issuer["name"] = confine_name(name, prefix)


def is_confined_path(path: str, prefix: str) -> bool:
    """Whether every certificate or issuer name in a request path starts with ``prefix`` (case-insensitively)."""
    segments = unquote(path.split("?", 1)[0]).split("/")[1:]
    if len(segments) >= 3 and segments[:2] == ["certificates", "issuers"]:
        name = segments[2]
    elif len(segments) >= 2 and segments[0] in ("certificates", "deletedcertificates") and segments[1] != "issuers":
        name = segments[1]
        if not name and len(segments) == 2:
            return True  # ``/certificates/``: the list
    else:
        return True  # a list, or no vault object at all (a probe)
    return name.lower().startswith(prefix.lower())


def _check_prefix(prefix: str) -> None:
    if not prefix or _VALID_NAME.fullmatch(prefix + "x") is None:
        raise ValueError(f"the run prefix must be a valid name start, got {prefix!r}")


def _wire_text(value: object) -> str:
    """The text a value is sent as in a path segment (schemathesis keeps strings percent-encoded)."""
    if isinstance(value, str):
        return unquote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(_wire_text(item) for item in value)
    return str(value)
