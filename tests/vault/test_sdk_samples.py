"""The official Python SDK's certificate samples, unmodified, against ``kvconform serve --tls`` (the script in
``scripts/run_sdk_samples.py``). CI runs the synchronous ones that do not sleep for a minute; the script runs all."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).parents[2] / "scripts" / "run_sdk_samples.py"
# backup_restore_operations sleeps 60 s (for the real service's purge), the *_async ones need aiohttp.
IN_CI = ["contacts", "hello_world", "import_certificate", "issuers", "list_operations", "parse_certificate"]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_sdk_samples", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    pytest.importorskip("azure.keyvault.secrets", reason="parse_certificate needs azure-keyvault-secrets")
    return _script()


@pytest.fixture(scope="module")
def samples(script: ModuleType) -> Path:
    try:
        folder: Path = script.fetch_samples()
    except (subprocess.CalledProcessError, OSError, StopIteration) as exc:  # pragma: no cover - PyPI out of reach
        pytest.skip(f"the {script.SDK} sdist could not be downloaded: {exc}")
    return folder


def test_the_python_samples_pass_unmodified(script: ModuleType, samples: Path) -> None:
    chosen = [samples / f"{name}.py" for name in IN_CI]
    assert all(path.is_file() for path in chosen), sorted(path.name for path in samples.glob("*.py"))
    with script.serve_vault() as (url, ca_file):
        assert url.startswith("https://127.0.0.1:")
        results = script.run_samples(chosen, url, ca_file, timeout=120)
    failed = {name: tail for name, passed, _, tail in results if not passed}
    assert not failed, failed
    assert [name for name, *_ in results] == IN_CI


def test_a_sample_that_fails_is_reported(script: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import os\nraise SystemExit(os.environ['VAULT_URL'] + ' refused')\n")
    results = script.run_samples([tmp_path / "broken.py"], "https://127.0.0.1:1", "", timeout=30)
    assert results[0][:2] == ("broken", False)
    assert results[0][3] == "https://127.0.0.1:1 refused"


def test_a_js_helper_module_is_copied_but_not_run_as_a_sample(tmp_path: Path) -> None:
    # The SDK's newer JS samples share a helper: `require("./utils.js")` (also written without the extension).
    (tmp_path / "operations.js").write_text('const { retryWithBackoff } = require("./utils.js");\n')
    (tmp_path / "backup.js").write_text("const helpers = require( './helpers' );\n")
    (tmp_path / "utils.js").write_text("module.exports = {};\n")
    (tmp_path / "helpers.js").write_text("module.exports = {};\n")
    (tmp_path / "contacts.js").write_text('require("dotenv/config");\n')
    assert [path.name for path in _script().js_samples(tmp_path)] == ["backup.js", "contacts.js", "operations.js"]


def test_the_js_import_sample_gets_its_sample_env_certificates(tmp_path: Path) -> None:
    import base64

    from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    script = _script()
    files = script._write_certificates(tmp_path)
    variables = script._js_certificate_variables(files["PFX_CERT_PATH"], files["PEM_CERT_PATH"])
    assert set(variables) == {"SAMPLE_PFX_BASE_64", "SAMPLE_PEM"}
    # importCertificate.js imports Buffer.from(SAMPLE_PFX_BASE_64, "base64") with no password, then
    # Buffer.from(SAMPLE_PEM) as application/x-pem-file: a password-less PFX and a PEM with certificate and key.
    key, certificate, _ = pkcs12.load_key_and_certificates(base64.b64decode(variables["SAMPLE_PFX_BASE_64"]), None)
    assert key is not None and certificate is not None
    pem = variables["SAMPLE_PEM"].encode()
    public_key = load_pem_private_key(pem, None).public_key()
    assert load_pem_x509_certificate(pem).public_key() == public_key


def test_a_failure_shows_the_line_that_names_the_error() -> None:
    # node prints the RestError's message first, then the request and response objects over many lines.
    output = "log line\nRestError: A new key vault certificate can not be created\n {\n" + "  x: 1,\n" * 20 + "}\n"
    tail = _script().failure_tail(output)
    assert tail.splitlines()[0] == "RestError: A new key vault certificate can not be created"
    assert tail.splitlines()[-1] == "}"
    assert _script().failure_tail("a\nb\nTypeError: x is undefined\n") == "a\nb\nTypeError: x is undefined"
