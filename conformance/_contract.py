"""The contract: ``openapi/keyvault-certificates.yaml``, loaded, matched against paths, and used to validate responses.

Response bodies are validated with ``jsonschema`` (Draft 2020-12, the dialect of OpenAPI 3.1), resolving ``$ref``
inside the one document through a ``referencing`` registry. Validators are built once per (operation, status,
media type) and cached.
"""

from __future__ import annotations

import functools
import pathlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from . import _yaml

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiSchema

__all__ = ["contract_path", "load_contract", "load_schemathesis_schema", "operation_for", "validate_response"]

_FILE_NAME = "keyvault-certificates.yaml"
_CONTRACT_URI = "urn:kvconform:contract"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MAX_BODY_PROBLEMS = 10
# A path parameter matches one non-empty segment; the version may be empty (``/certificates/{name}/``).
_EMPTY_ALLOWED = frozenset({"certificate-version"})


def contract_path() -> pathlib.Path:
    """The contract file: package data in a wheel, else ``openapi/`` of the source tree (editable installs)."""
    here = pathlib.Path(__file__).resolve().parent
    packaged = here / "_openapi" / _FILE_NAME
    if packaged.is_file():
        return packaged
    return here.parent / "openapi" / _FILE_NAME


@functools.cache
def load_contract() -> dict[str, Any]:
    """The parsed contract (cached: treat it as read-only)."""
    with contract_path().open(encoding="utf-8") as stream:
        document = _yaml.safe_load(stream)
    if not isinstance(document, dict):
        raise ValueError(f"{contract_path()} is not an OpenAPI document")
    return document


def operation_for(method: str, path: str) -> tuple[str, str] | None:
    """``(operationId, path template)`` for a concrete request path, or None when the contract has no such operation.

    Literal segments win over templated ones, left to right (OpenAPI's rule), so ``/certificates/abc/pending`` is
    the pending operation, not a version. ``path`` may carry a query string or be a full URL.
    """
    concrete = path if path.startswith("/") and "?" not in path and "#" not in path else urlsplit(path).path
    return _operation_for(method, concrete)


@functools.lru_cache(maxsize=1024)
def _operation_for(method: str, concrete: str) -> tuple[str, str] | None:
    for template, pattern in _templates():
        if pattern.fullmatch(concrete) is None:
            continue
        operation = _path_item(template).get(method.lower())
        if not isinstance(operation, dict):
            return None  # the most specific path has no such method; a less specific one must not claim it
        return str(operation.get("operationId", "")), template
    return None


def validate_response(
    method: str,
    path_template: str,
    status: int,
    headers: Mapping[str, str],
    body: Any,
    *,
    lowered: bool = False,
) -> list[str]:
    """Problems of a response against the contract (an empty list means it conforms).

    ``path_template`` is a contract path such as ``/certificates/{certificate-name}/pending``; a concrete path is
    accepted too. ``body`` is the decoded JSON, the text of a non-JSON body, or None when there was none.
    ``lowered``: the header names are lower-case already.
    """
    try:
        return _validate(method, path_template, status, headers, body, lowered)
    except Exception as exc:  # a verdict must never crash the run; report what went wrong instead
        return [f"{method.upper()} {path_template}: could not validate the response ({type(exc).__name__}: {exc})"]


def load_schemathesis_schema(base_url: str | None = None) -> OpenApiSchema:
    """The contract loaded by schemathesis (imported lazily: it is heavy), with ``base_url`` set when given."""
    import schemathesis

    schema = schemathesis.openapi.from_path(contract_path())
    if base_url is not None:
        schema.config.update(base_url=base_url)
    return schema


def _validate(
    method: str, path_template: str, status: int, headers: Mapping[str, str], body: Any, lowered: bool = False
) -> list[str]:
    method = method.lower()
    template = path_template if path_template in _paths() else None
    if template is None:
        found = operation_for(method, path_template)
        if found is None:
            return [f"{method.upper()} {path_template}: the contract documents no such operation"]
        template = found[1]
    plan = _plan(template, method, status)
    if isinstance(plan, str):
        return [plan]
    name, key, required, response = plan
    if lowered and isinstance(headers, dict):
        by_name = headers
    else:
        by_name = {str(k).lower(): v for k, v in headers.items()} if isinstance(headers, Mapping) else {}
    problems = [
        f"{name} {status}: required header {header_name} is missing"
        for header_name in required
        if header_name.lower() not in by_name
    ]
    problems.extend(_body_problems(name, status, template, method, key, response, by_name, body))
    return problems


@functools.lru_cache(maxsize=512)
def _plan(template: str, method: str, status: int) -> str | tuple[str, str, tuple[str, ...], dict[str, Any]]:
    """What the contract documents of one response (cached): its operation's name, the responses key documenting
    ``status``, the required headers and the response object; or the one problem when it documents no such response.
    """
    operation = _path_item(template).get(method)
    if not isinstance(operation, dict):
        return f"{method.upper()} {template}: the contract documents no such operation"
    name = str(operation.get("operationId", f"{method.upper()} {template}"))
    responses: dict[str, Any] = operation.get("responses", {})
    key = _status_key(responses, status)
    if key is None:
        documented = ", ".join(sorted(responses))
        return f"{name}: status {status} is not documented. Received: {status} / Documented: {documented}"
    return name, key, _required_headers(template, method, key), _deref(responses[key])


@functools.cache
def _required_headers(template: str, method: str, key: str) -> tuple[str, ...]:
    response = _deref(_path_item(template)[method]["responses"][key])
    return tuple(
        header_name
        for header_name, header in (response.get("headers") or {}).items()
        if header_name.lower() != "content-type" and _deref(header).get("required", False)
    )


def _body_problems(
    name: str,
    status: int,
    template: str,
    method: str,
    key: str,
    response: dict[str, Any],
    headers: dict[str, str],
    body: Any,
) -> list[str]:
    content: dict[str, Any] = response.get("content") or {}
    empty = body is None or body == "" or body == b""
    if not content:
        return [] if empty else [f"{name} {status}: documents no body, yet one was received"]
    media_type = _media_type(content, str(headers.get("content-type", "")))
    if media_type is None:
        received = headers.get("content-type", "")
        return [f"{name} {status}: Content-Type {received!r} is not documented. Documented: {', '.join(content)}"]
    if empty:
        return [f"{name} {status}: documents a {media_type} body, but none was received"]
    validator = _validator(template, method, key, media_type)
    if validator is None:
        return []
    fast = _fast_validator(template, method, key, media_type)
    if fast is not None and fast.is_valid(body):
        return []  # the Rust validator says yes at a fraction of the cost; python-jsonschema words any problem
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    problems = [f"{name} {status}: body at {error.json_path}: {error.message}" for error in errors[:_MAX_BODY_PROBLEMS]]
    if len(errors) > _MAX_BODY_PROBLEMS:
        problems.append(f"{name} {status}: … and {len(errors) - _MAX_BODY_PROBLEMS} more body problems")
    return problems


def _media_type(content: dict[str, Any], content_type: str) -> str | None:
    """The documented media type a response's Content-Type selects (JSON when the header is absent)."""
    received = content_type.split(";", 1)[0].strip().lower()
    if not received:
        return "application/json" if "application/json" in content else next(iter(content))
    if received in content:
        return received
    if (received.endswith("+json") or received == "text/json") and "application/json" in content:
        return "application/json"
    return None


@functools.cache
def _validator(template: str, method: str, key: str, media_type: str) -> Draft202012Validator | None:
    """A cached validator for one response body; None when that body has no schema."""
    media = _paths()[template][method]["responses"][key]
    pointer = f"/paths/{_escape(template)}/{method}/responses/{_escape(key)}"
    while "$ref" in media:
        pointer = str(media["$ref"]).removeprefix("#")
        media = _resolve(pointer)
    if "schema" not in media.get("content", {}).get(media_type, {}):
        return None
    pointer += f"/content/{_escape(media_type)}/schema"
    # The contract's local $refs are inlined once: resolving them on every response cost most of the validation.
    schema = _inline(_resolve(pointer), frozenset())
    return Draft202012Validator(schema, registry=_registry())


@functools.cache
def _fast_validator(template: str, method: str, key: str, media_type: str) -> Any:
    """The same schema for jsonschema-rs (schemathesis' own dependency), or None where it is not available."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - installed with schemathesis
        return None
    validator = _validator(template, method, key, media_type)
    if validator is None:
        return None

    def retrieve(uri: str) -> Any:
        if uri.split("#", 1)[0] != _CONTRACT_URI:
            raise ValueError(f"no such document: {uri}")
        return load_contract()

    try:
        schema = validator.schema if isinstance(validator.schema, bool) else dict(validator.schema)
        return jsonschema_rs.validator_for(schema, validate_formats=False, retriever=retrieve)
    except Exception:  # pragma: no cover - a schema it does not take: python-jsonschema alone judges
        return None


def _inline(node: Any, seen: frozenset[str]) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points at; a ref back into itself stays a ref."""
    if isinstance(node, list):
        return [_inline(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        if ref in seen:  # recursive: resolved in the contract, as before
            return {**node, "$ref": f"{_CONTRACT_URI}{ref}"}
        target = _inline(_resolve(ref.removeprefix("#")), seen | {ref})
        rest = {key: value for key, value in node.items() if key != "$ref"}
        if not rest:
            return target
        node = {**rest, "allOf": [*rest.get("allOf", []), target]}  # $ref beside other keywords: both apply
    return {key: _inline(value, seen) if key not in ("example", "examples") else value for key, value in node.items()}


@functools.cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource(_CONTRACT_URI, DRAFT202012.create_resource(load_contract()))
    return registry


_NOT_A_VERSION = r"(?!(?:versions|policy|pending|create|import|backup|restore|issuers|contacts)(?:/|$))"


@functools.cache
def _templates() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Every path template with its regex, most specific first (literal segments before parameters)."""

    def specificity(template: str) -> tuple[int, ...]:
        return tuple(1 if segment.startswith("{") else 0 for segment in template.split("/"))

    compiled = []
    for template in sorted(_paths(), key=specificity):
        parts = []
        for segment in template.split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                # A Key Vault operation outside the contract (GET …/versions, …/policy) is not a version.
                reserved = _NOT_A_VERSION if segment[1:-1] == "certificate-version" else ""
                parts.append(reserved + ("[^/]*" if segment[1:-1] in _EMPTY_ALLOWED else "[^/]+"))
            else:
                parts.append(re.escape(segment))
        compiled.append((template, re.compile("/".join(parts))))
    return tuple(compiled)


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = load_contract().get("paths", {})
    return paths


@functools.cache
def _path_item(template: str) -> dict[str, Any]:
    item: dict[str, Any] = _deref(_paths().get(template, {}))
    return item


def _status_key(responses: Mapping[str, Any], status: int) -> str | None:
    """The responses key documenting ``status``: exact, then a range such as ``4XX``, then ``default``."""
    for key in (str(status), f"{str(status)[:1]}XX", f"{str(status)[:1]}xx", "default"):
        if key in responses:
            return key
    return None


def _deref(value: Any) -> dict[str, Any]:
    """Follow local ``$ref``s of a contract object (a response, a header, a path item)."""
    seen = 0
    while isinstance(value, dict) and "$ref" in value and seen < 20:
        value = _resolve(str(value["$ref"]).removeprefix("#"))
        seen += 1
    return value if isinstance(value, dict) else {}


def _resolve(pointer: str) -> Any:
    node: Any = load_contract()
    for token in pointer.lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
