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
