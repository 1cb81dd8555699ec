"""Tests for ``conformance/_contract.py`` and the contract ``openapi/keyvault-certificates.yaml`` itself."""

from __future__ import annotations

import copy
import json
import pathlib
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml

from conformance import _contract

DATA = pathlib.Path(__file__).parent / "data" / "real-responses"
REAL_RESPONSES = sorted(DATA.glob("*.json"))

OPERATIONS = {
    "createCertificate": ("post", "/certificates/{certificate-name}/create"),
    "importCertificate": ("post", "/certificates/{certificate-name}/import"),
    "getCertificate": ("get", "/certificates/{certificate-name}"),
    "getCertificateVersion": ("get", "/certificates/{certificate-name}/{certificate-version}"),
    "getCertificatePolicy": ("get", "/certificates/{certificate-name}/policy"),
    "getCertificateOperation": ("get", "/certificates/{certificate-name}/pending"),
    "updateCertificateOperation": ("patch", "/certificates/{certificate-name}/pending"),
    "deleteCertificateOperation": ("delete", "/certificates/{certificate-name}/pending"),
    "mergeCertificate": ("post", "/certificates/{certificate-name}/pending/merge"),
    "setCertificateIssuer": ("put", "/certificates/issuers/{issuer-name}"),
    "getCertificateIssuer": ("get", "/certificates/issuers/{issuer-name}"),
    "deleteCertificateIssuer": ("delete", "/certificates/issuers/{issuer-name}"),
    "deleteCertificate": ("delete", "/certificates/{certificate-name}"),
    "getDeletedCertificate": ("get", "/deletedcertificates/{certificate-name}"),
    "purgeDeletedCertificate": ("delete", "/deletedcertificates/{certificate-name}"),
    "getCertificates": ("get", "/certificates"),
    "getCertificateIssuers": ("get", "/certificates/issuers"),
    "getDeletedCertificates": ("get", "/deletedcertificates"),
}
CREATE = "/certificates/{certificate-name}/create"
PENDING = "/certificates/{certificate-name}/pending"
MERGE = "/certificates/{certificate-name}/pending/merge"
PURGE = "/deletedcertificates/{certificate-name}"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
NAME_PATTERN = "^[0-9a-zA-Z-]{1,127}$"


# -- helpers ---------------------------------------------------------------------------------------------------------


def contract() -> dict[str, Any]:
    return _contract.load_contract()


def resolve(node: Any) -> Any:
    """Follow local ``$ref``s."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = contract()
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, path item, operation) for every operation."""
    for path, item in contract()["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch"}:
                yield path, method, item, operation


def parameters(item: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [resolve(p) for p in item.get("parameters", []) + operation.get("parameters", [])]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in the document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def schemas_in_document() -> Iterator[Any]:
    document = contract()
    yield from document["components"]["schemas"].values()
    for node in walk(document["paths"]):
        if "schema" in node:
            yield node["schema"]
    for node in walk({k: v for k, v in document["components"].items() if k != "schemas"}):
        if "schema" in node:
            yield node["schema"]


def operation_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "https://v.vault.azure.net/certificates/c1/pending",
        "issuer": {"name": "Unknown"},
        "csr": "MIICojCCAYoCAQAw",
        "cancellation_requested": False,
        "status": "inProgress",
        "status_details": "Pending certificate created. Please Perform Merge to complete the request.",
        "request_id": "efd3fa65d2874eb7a279d27de2736999",
    }
    body.update(overrides)
    return body


# -- the document ----------------------------------------------------------------------------------------------------


def test_contract_path_is_the_repository_file() -> None:
    path = _contract.contract_path()
    assert path.is_file()
    assert path == pathlib.Path(__file__).resolve().parents[1] / "openapi" / "keyvault-certificates.yaml"


def test_contract_path_prefers_package_data(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "conformance"
    (package / "_openapi").mkdir(parents=True)
    monkeypatch.setattr(_contract, "__file__", str(package / "_contract.py"))
    assert _contract.contract_path() == tmp_path / "openapi" / "keyvault-certificates.yaml"
    (package / "_openapi" / "keyvault-certificates.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    assert _contract.contract_path() == package / "_openapi" / "keyvault-certificates.yaml"


def test_load_contract_is_cached_yaml() -> None:
    assert _contract.load_contract() is _contract.load_contract()
    assert contract()["openapi"] == "3.1.0"


def _openapi_31_validator() -> jsonschema.Draft202012Validator:
    from schemathesis.specs.openapi.definitions import OPENAPI_31  # the official OpenAPI 3.1 JSON schema

    return jsonschema.Draft202012Validator(OPENAPI_31)


def test_document_is_valid_openapi_31() -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _openapi_31_validator().iter_errors(contract())]
    assert errors == []


def test_openapi_validation_can_fail() -> None:
    broken = copy.deepcopy(contract())
    del broken["info"]
    broken["paths"][CREATE]["post"]["responses"]["202"]["headers"]["Location"]["required"] = "yes"
    messages = [e.message for e in _openapi_31_validator().iter_errors(broken)]
    assert "'info' is a required property" in messages
    assert len(messages) >= 2


def test_every_schema_is_valid_draft_2020_12() -> None:
    schemas = list(schemas_in_document())
    assert len(schemas) > 50
    for schema in schemas:
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_ref_resolves() -> None:
    refs = [node["$ref"] for node in walk(contract()) if isinstance(node.get("$ref"), str)]
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        assert resolve({"$ref": ref}) is not None


def test_every_operation_has_its_operation_id() -> None:
    found = {op["operationId"]: (method, path) for path, method, _, op in operations()}
    assert found == OPERATIONS


def test_every_operation_has_tags_summary_and_error_responses() -> None:
    for path, method, _, operation in operations():
        label = f"{method.upper()} {path}"
        assert operation.get("tags"), label
        assert operation.get("summary"), label
        assert {"400", "401"} <= set(operation["responses"]), label
        assert "default" not in operation["responses"], label


def test_api_version_is_required_on_every_operation() -> None:
    for path, method, item, operation in operations():
        matches = [p for p in parameters(item, operation) if p["name"] == "api-version"]
        assert len(matches) == 1, f"{method.upper()} {path}"
        assert matches[0]["in"] == "query"
        assert matches[0]["required"] is True
        assert matches[0]["schema"]["type"] == "string"
        assert "2025-07-01" in matches[0]["description"]


@pytest.mark.parametrize("version", ["7.0", "7.1-preview", "7.4", "7.6", "7.6-preview.2", "2025-07-01", "2026-04-01"])
def test_api_version_pattern_accepts_published_versions(version: str) -> None:
    schema = resolve({"$ref": "#/components/parameters/ApiVersion"})["schema"]
    jsonschema.validate(version, schema)


def test_names_have_the_name_pattern() -> None:
    checked = 0
    for path, method, item, operation in operations():
        for parameter in parameters(item, operation):
            if parameter["name"] in {"certificate-name", "issuer-name"}:
                assert parameter["in"] == "path"
                assert resolve(parameter["schema"])["pattern"] == NAME_PATTERN, f"{method.upper()} {path}"
                checked += 1
    assert checked == 15  # every operation except the three lists


def test_request_id_query_parameter_on_pending_operations() -> None:
    item = contract()["paths"][PENDING]
    for method in ("get", "patch", "delete"):
        names = {p["name"]: p for p in parameters(item, item[method])}
        assert names["request_id"]["in"] == "query"
        assert names["request_id"]["required"] is False


def test_patch_pending_body_requires_cancellation_requested() -> None:
    body = resolve(contract()["paths"][PENDING]["patch"]["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["cancellation_requested"]
    assert body["properties"]["cancellation_requested"]["type"] == "boolean"


def test_issuer_password_is_write_only() -> None:
    credentials = resolve({"$ref": "#/components/schemas/IssuerCredentials"})
    assert credentials["properties"]["pwd"]["writeOnly"] is True
    issuer_body = resolve({"$ref": "#/components/schemas/CertificateIssuerSetParameters"})
    assert issuer_body["required"] == ["provider"]


def test_bearer_security_applies_globally() -> None:
    assert contract()["security"] == [{"bearer": []}]
    scheme = contract()["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_every_error_response_uses_the_one_envelope() -> None:
    envelope = "#/components/schemas/KeyVaultError"
    for path, method, _, operation in operations():
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                schema = resolve(response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": envelope}, f"{method.upper()} {path} {status}"
    error = resolve({"$ref": envelope})
    assert error["required"] == ["error"]
    assert resolve(error["properties"]["error"])["required"] == ["code", "message"]


def test_documented_cases_have_their_status() -> None:
    paths = contract()["paths"]
    assert {"202", "400", "401", "403", "409"} <= set(paths[CREATE]["post"]["responses"])
    assert {"200", "400", "409"} <= set(paths["/certificates/{certificate-name}/import"]["post"]["responses"])
    assert {"200", "404"} <= set(paths[PENDING]["get"]["responses"])
    assert {"200", "400", "403", "404"} <= set(paths[PENDING]["patch"]["responses"])
    assert {"200", "404"} <= set(paths[PENDING]["delete"]["responses"])
    assert {"201", "400", "403", "404"} <= set(paths[MERGE]["post"]["responses"])
    assert set(paths[PURGE]["delete"]["responses"]) >= {"204"}
    assert "content" not in paths[PURGE]["delete"]["responses"]["204"]


def test_401_documents_the_challenge_header() -> None:
    for path, method, _, operation in operations():
        header = resolve(resolve(operation["responses"]["401"])["headers"]["WWW-Authenticate"])
        assert header["required"] is True, f"{method.upper()} {path}"


def test_location_and_retry_after_headers() -> None:
    paths = contract()["paths"]
    created = paths[CREATE]["post"]["responses"]["202"]["headers"]
    merged = paths[MERGE]["post"]["responses"]["201"]["headers"]
    assert created["Location"]["required"] is True
    assert merged["Location"]["required"] is True
    assert "Retry-After" not in merged
    assert resolve(created["Retry-After"])["required"] is False
    assert resolve(paths[PENDING]["get"]["responses"]["200"]["headers"]["Retry-After"])["required"] is False
    assert "x-ms-request-id" in created


def test_get_pending_may_answer_a_bare_csr() -> None:
    content = contract()["paths"][PENDING]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "application/pkcs10"}


def test_links_from_create_and_merge() -> None:
    paths = contract()["paths"]
    links = paths[CREATE]["post"]["responses"]["202"]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert targets == {
        "getCertificateOperation",
        "updateCertificateOperation",
        "deleteCertificateOperation",
        "mergeCertificate",
    }
    for link in links.values():
        assert link["parameters"]["certificate-name"] == "$request.path.certificate-name"
    merge_links = paths[MERGE]["post"]["responses"]["201"]["links"]
    assert [link["operationId"] for link in merge_links.values()] == ["getCertificate"]


def test_objects_allow_extra_properties_and_integers_are_not_int32() -> None:
    for node in walk(contract()):
        assert node.get("additionalProperties", True) is not False
        assert node.get("format") not in {"int32"}


# -- schemathesis ----------------------------------------------------------------------------------------------------


def test_schemathesis_loads_every_operation() -> None:
    from schemathesis.core.result import Err, Ok

    schema = _contract.load_schemathesis_schema()
    schema.validate()  # schemathesis' own check against the OpenAPI 3.1 schema; raises when invalid
    results = list(schema.get_all_operations())
    errors = [str(result.err()) for result in results if isinstance(result, Err)]
    assert errors == []
    loaded = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(loaded) == len(OPERATIONS) == 18
    assert {op.definition.raw["operationId"] for op in loaded} == set(OPERATIONS)


def test_schemathesis_base_url() -> None:
    schema = _contract.load_schemathesis_schema("http://127.0.0.1:8443/vault")
    assert schema.get_base_url() == "http://127.0.0.1:8443/vault"


# -- validate_response: real recordings ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REAL_RESPONSES, ids=[p.stem for p in REAL_RESPONSES])
def test_real_response_conforms(path: pathlib.Path) -> None:
    exchange = json.loads(path.read_text(encoding="utf-8"))
    request, response = exchange["request"], exchange["response"]
    found = _contract.operation_for(request["method"], request["url"])
    assert found is not None
    problems = _contract.validate_response(
        request["method"], found[1], response["status"], response["headers"], response["body"]
    )
    assert problems == []


def test_there_are_twelve_real_responses() -> None:
    assert len(REAL_RESPONSES) == 12


# -- validate_response: what it must catch ---------------------------------------------------------------------------


def test_conforming_operation_has_no_problems() -> None:
    headers = {**JSON_HEADERS, "location": "https://v.vault.azure.net/certificates/c1/pending?request_id=x"}
    assert _contract.validate_response("POST", CREATE, 202, headers, operation_body()) == []


@pytest.mark.parametrize(
    "status", ["inProgress", "InProgress", "completed", "cancelled", "canceled", "failed", "INPROGRESS"]
)
def test_every_spelling_of_a_status_conforms(status: str) -> None:
    assert _contract.validate_response("GET", PENDING, 200, JSON_HEADERS, operation_body(status=status)) == []


@pytest.mark.parametrize("status", ["done", "in progress", "", 1])
def test_unknown_status_is_a_problem(status: object) -> None:
    problems = _contract.validate_response("GET", PENDING, 200, JSON_HEADERS, operation_body(status=status))
    assert len(problems) == 1
    assert "body at $.status" in problems[0]


def test_missing_status_is_a_problem() -> None:
    body = operation_body()
    del body["status"]
    problems = _contract.validate_response("GET", PENDING, 200, JSON_HEADERS, body)
    assert problems == ["getCertificateOperation 200: body at $: 'status' is a required property"]


def test_error_envelope_without_code_is_a_problem() -> None:
    body = {"error": {"message": "Pending certificate not found: c1"}}
    problems = _contract.validate_response("GET", PENDING, 404, JSON_HEADERS, body)
    assert problems == ["getCertificateOperation 404: body at $.error: 'code' is a required property"]


def test_error_without_envelope_is_a_problem() -> None:
    problems = _contract.validate_response("POST", CREATE, 409, JSON_HEADERS, {"code": "Conflict", "message": "x"})
    assert problems == ["createCertificate 409: body at $: 'error' is a required property"]


def test_undocumented_status_is_a_problem() -> None:
    problems = _contract.validate_response("POST", CREATE, 200, JSON_HEADERS, operation_body())
    assert len(problems) == 1
    assert problems[0].startswith("createCertificate: status 200 is not documented. Received: 200 / Documented: 202")


def test_202_without_location_is_a_problem() -> None:
    problems = _contract.validate_response("POST", CREATE, 202, {**JSON_HEADERS, "Retry-After": "10"}, operation_body())
    assert problems == ["createCertificate 202: required header Location is missing"]


def test_201_merge_without_location_is_a_problem() -> None:
    body = {"id": "https://v.vault.azure.net/certificates/c1/0123", "attributes": {"enabled": True}}
    assert _contract.validate_response("POST", MERGE, 201, JSON_HEADERS, body) == [
        "mergeCertificate 201: required header Location is missing"
    ]


def test_401_without_challenge_is_a_problem() -> None:
    body = {"error": {"code": "Unauthorized", "message": "Request is missing a Bearer or PoP token."}}
    problems = _contract.validate_response("GET", PENDING, 401, JSON_HEADERS, body)
    assert problems == ["getCertificateOperation 401: required header WWW-Authenticate is missing"]


def test_headers_are_matched_case_insensitively() -> None:
    headers = {"LOCATION": "https://v.vault.azure.net/certificates/c1/pending", "content-type": "application/json"}
    assert _contract.validate_response("post", CREATE, 202, headers, operation_body()) == []


def test_large_timestamps_conform() -> None:
    body = {"id": "https://v/certificates/c1/1", "attributes": {"created": 2**40, "exp": 2**33}, "pending": {"id": "p"}}
    assert _contract.validate_response("GET", "/certificates/{certificate-name}", 200, JSON_HEADERS, body) == []


def test_extra_properties_conform() -> None:
    body = operation_body(unexpected={"nested": True}, issuer={"name": "Self", "cert_transparency": False, "x": 1})
    assert _contract.validate_response("GET", PENDING, 200, JSON_HEADERS, body) == []


def test_bare_csr_conforms_when_asked_for() -> None:
    headers = {"Content-Type": "application/pkcs10"}
    assert _contract.validate_response("GET", PENDING, 200, headers, "MIICojCCAYoCAQAw") == []


def test_undocumented_content_type_is_a_problem() -> None:
    problems = _contract.validate_response("GET", PENDING, 200, {"Content-Type": "text/html"}, "<html></html>")
    assert problems == [
        "getCertificateOperation 200: Content-Type 'text/html' is not documented. "
        "Documented: application/json, application/pkcs10"
    ]


def test_missing_body_is_a_problem() -> None:
    problems = _contract.validate_response("GET", PENDING, 200, JSON_HEADERS, None)
    assert problems == ["getCertificateOperation 200: documents a application/json body, but none was received"]


def test_purge_204_has_no_body() -> None:
    assert _contract.validate_response("DELETE", PURGE, 204, {}, None) == []
    problems = _contract.validate_response("DELETE", PURGE, 204, JSON_HEADERS, {"id": "x"})
    assert problems == ["purgeDeletedCertificate 204: documents no body, yet one was received"]


@pytest.mark.parametrize("body", [[], "text", 42, True], ids=["list", "text", "number", "bool"])
def test_non_object_body_is_a_problem_not_a_crash(body: object) -> None:
    problems = _contract.validate_response("GET", PENDING, 200, JSON_HEADERS, body)
    assert problems == [f"getCertificateOperation 200: body at $: {body!r} is not of type 'object'"]


def test_unknown_path_is_one_problem() -> None:
    assert _contract.validate_response("GET", "/keys/{key-name}", 200, {}, {}) == [
        "GET /keys/{key-name}: the contract documents no such operation"
    ]
    assert _contract.validate_response("PUT", PENDING, 200, {}, {}) == [
        f"PUT {PENDING}: the contract documents no such operation"
    ]


def test_odd_headers_do_not_crash() -> None:
    problems = _contract.validate_response("POST", CREATE, 202, None, operation_body())  # type: ignore[arg-type]
    assert problems == ["createCertificate 202: required header Location is missing"]


def test_a_concrete_path_is_accepted_too() -> None:
    body = operation_body(status="completed", target="https://v.vault.azure.net/certificates/c1")
    assert _contract.validate_response("GET", "/certificates/c1/pending", 200, JSON_HEADERS, body) == []


def test_every_body_problem_is_listed() -> None:
    body = {"error": {"code": 1, "message": 2, "innererror": 3}}
    problems = _contract.validate_response("GET", PENDING, 404, JSON_HEADERS, body)
    assert len(problems) == 3
    assert all(p.startswith("getCertificateOperation 404: body at $.error") for p in problems)


def test_body_problems_are_capped() -> None:
    fields = ["id", "kid", "sid", "x5t", "cer", "contentType", "attributes", "tags", "policy", "pending", "pwd"]
    body: dict[str, Any] = dict.fromkeys(fields, [])
    body["preserveCertOrder"] = []
    problems = _contract.validate_response("GET", "/certificates/{certificate-name}", 200, JSON_HEADERS, body)
    assert len(problems) == 11
    assert problems[-1] == "getCertificate 200: … and 1 more body problems"


# -- operation_for ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/certificates/abc/pending", "getCertificateOperation"),
        ("PATCH", "/certificates/abc/pending", "updateCertificateOperation"),
        ("DELETE", "/certificates/abc/pending?api-version=7.5&request_id=x", "deleteCertificateOperation"),
        ("POST", "/certificates/abc/pending/merge", "mergeCertificate"),
        ("GET", "/certificates/abc/policy", "getCertificatePolicy"),
        ("POST", "/certificates/abc/create", "createCertificate"),
        ("POST", "/certificates/abc/import", "importCertificate"),
        ("GET", "/certificates/abc", "getCertificate"),
        ("DELETE", "/certificates/abc", "deleteCertificate"),
        ("GET", "/certificates/abc/", "getCertificateVersion"),
        ("GET", "/certificates/abc/77dc4e4eddc344de9903dc8e75e76021", "getCertificateVersion"),
        ("GET", "/certificates", "getCertificates"),
        ("GET", "/certificates/issuers", "getCertificateIssuers"),
        ("PUT", "/certificates/issuers/x", "setCertificateIssuer"),
        ("GET", "/certificates/issuers/x", "getCertificateIssuer"),
        ("DELETE", "/certificates/issuers/x", "deleteCertificateIssuer"),
        ("GET", "/deletedcertificates", "getDeletedCertificates"),
        ("GET", "/deletedcertificates/abc", "getDeletedCertificate"),
        ("DELETE", "/deletedcertificates/abc", "purgeDeletedCertificate"),
        ("get", "https://v.vault.azure.net/certificates/abc/pending?api-version=7.5", "getCertificateOperation"),
    ],
)
def test_operation_for(method: str, path: str, expected: str) -> None:
    found = _contract.operation_for(method, path)
    assert found is not None
    assert found == (expected, OPERATIONS[expected][1])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/certificates/abc/pending/merge"),  # merge is POST only
        ("POST", "/certificates/abc/policy"),  # the policy path, not a version, and it has no POST
        ("DELETE", "/certificates/issuers"),  # the issuer list, not a certificate named "issuers"
        ("GET", "/certificates/a/b/c"),
        ("GET", "/keys/abc"),
        ("GET", "/certificates//pending"),  # an empty name is no name
        ("GET", ""),
    ],
)
def test_operation_for_unknown(method: str, path: str) -> None:
    assert _contract.operation_for(method, path) is None


def test_all_is_complete_and_sorted() -> None:
    defined = {
        name
        for name, value in vars(_contract).items()
        if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == _contract.__name__
    }
    assert _contract.__all__ == sorted(_contract.__all__)
    assert set(_contract.__all__) == defined


def test_the_document_round_trips_through_yaml() -> None:
    text = _contract.contract_path().read_text(encoding="utf-8")
    assert yaml.safe_load(text) == contract()
