from __future__ import annotations

from conformance._redact import REDACTED, redact_body, redact_headers, redact_text

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0In0.c2lnbmF0dXJl"


def test_authorization_and_cookies_are_masked_whatever_their_case() -> None:
    headers = redact_headers({"Authorization": "Bearer abc", "cookie": "x=1", "Accept": "application/json"})
    assert headers == {"Authorization": REDACTED, "cookie": REDACTED, "Accept": "application/json"}


def test_tokens_in_text_are_masked() -> None:
    text = redact_text(f"sent Bearer {JWT} then access_token=abc123&x=1 and {JWT}")
    assert JWT not in text
    assert "abc123" not in text
    assert "Bearer ***" in text


def test_given_secrets_are_masked_anywhere() -> None:
    assert redact_text("the token s3cr3t-value leaked", ["s3cr3t-value"]) == "the token *** leaked"
    assert redact_headers({"X-Debug": "s3cr3t-value"}, ["s3cr3t-value"]) == {"X-Debug": REDACTED}


def test_issuer_password_in_a_body_is_masked_but_structure_kept() -> None:
    body = {"provider": "DigiCert", "credentials": {"account_id": "me", "pwd": "hunter22"}, "list": [{"password": "x"}]}
    redacted = redact_body(body)
    assert redacted == {
        "provider": "DigiCert",
        "credentials": {"account_id": "me", "pwd": REDACTED},
        "list": [{"password": REDACTED}],
    }
    assert body["credentials"]["pwd"] == "hunter22"  # the original is untouched


def test_short_or_empty_secrets_do_not_shred_text() -> None:
    assert redact_text("a b c", ["", "a"]) == "a b c"


def test_a_schema_snippet_naming_a_secret_is_left_as_it_is() -> None:
    snippet = "{'pwd': {'type': 'string'}, 'password': {'type': 'string'}, \"pwd\": [\"string\"], 'pwd': None}"
    assert redact_text(snippet) == snippet
    schema = {"properties": {"pwd": {"type": "string"}, "token": ["a"]}, "required": ["pwd"]}
    assert redact_body(schema) == schema
    # ...while a secret's value still goes, in each spelling.
    assert redact_text("{'pwd': 'hunter22'}") == "{'pwd': '***'}"
    assert redact_text('{"password": "p4ss{w}rd"}') == '{"password": "***"}'
    assert redact_text("?pwd=abc&x=1") == "?pwd=***&x=1"


def test_a_bearer_challenge_is_not_a_token() -> None:
    challenge = 'Bearer authorization="https://login.windows.net/t", resource="https://vault.azure.net"'
    assert redact_text(challenge) == challenge
    assert redact_headers({"WWW-Authenticate": challenge}) == {"WWW-Authenticate": challenge}
    assert redact_text("Authorization: Bearer abc.def==") == "Authorization: Bearer ***"
    assert redact_text("curl -H 'Authorization: Bearer t' x") == "curl -H 'Authorization: Bearer ***' x", "short too"


def test_redaction_leaves_non_secret_text_alone() -> None:
    texts = [
        'Schema: {"type": "object", "properties": {"credentials": {"type": "object"}}}',
        "the operation of kvc-1-a is inProgress; {curly} [square] (round)",
        "PATCH https://vault.test/certificates/kvc-a/pending?api-version=7.6",
        "pop quiz: the password policy; the bearer challenge; Bearer token",
    ]
    assert [redact_text(text) for text in texts] == texts
