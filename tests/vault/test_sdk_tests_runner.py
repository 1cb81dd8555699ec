"""The helpers that run the SDKs' own material against the vault: the ``devtools_testutils`` stand-in of
``scripts/run_sdk_tests.py`` and the JS side of ``scripts/run_sdk_samples.py``."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

SCRIPTS = Path(__file__).parents[2] / "scripts"
STANDIN = SCRIPTS / "sdk_tests_standin"

SDK_STYLE_TEST = """
import pytest
from devtools_testutils import AzureRecordedTestCase, PowerShellPreparer, is_live, recorded_by_proxy
from devtools_testutils.aio import recorded_by_proxy_async


class TestStyle(AzureRecordedTestCase):
    @PowerShellPreparer("keyvault", azure_keyvault_url="https://vaultname.vault.azure.net")
    @recorded_by_proxy
    def test_url_from_the_environment(self, azure_keyvault_url):
        assert is_live() and self.is_live and not self.is_playback()
        assert azure_keyvault_url == "https://kv.example.invalid"
        assert self.get_resource_name("cert").startswith("cert")
        assert self.get_credential(object).get_token("scope").token

    @pytest.mark.playback_test_only("not live")
    def test_playback_only(self):
        raise AssertionError("must not run live")

    def test_async_decorator(self):
        import asyncio

        async def body(self):
            return 42

        assert asyncio.run(recorded_by_proxy_async(body)(self)) == 42
"""


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_standin_runs_sdk_style_tests_live(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(STANDIN))
    monkeypatch.setenv("AZURE_KEYVAULT_URL", "https://kv.example.invalid")
    pytester.makepyfile(test_style=SDK_STYLE_TEST)
    result = pytester.runpytest("-p", "devtools_testutils._pytest_plugin", "-p", "no:randomly", "-rs")
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(["*playback only: not live*"])


def test_the_js_workspace_is_a_copy_with_the_merge_samples_ca(tmp_path: Path) -> None:
    script = _load("run_sdk_samples")
    samples = tmp_path / "given"
    samples.mkdir()
    (samples / "a.js").write_text("// a sample\n")
    (samples / "utils.js").write_text("// a helper\n")
    folder = script._js_workspace([samples / "a.js"], tmp_path / "work")
    assert sorted(path.name for path in folder.iterdir()) == ["a.js", "ca.crt", "ca.key", "utils.js"]
    assert sorted(path.name for path in samples.iterdir()) == ["a.js", "utils.js"]  # the user's folder untouched
    certificate = x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes())
    key = serialization.load_pem_private_key((folder / "ca.key").read_bytes(), None)
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()  # type: ignore[union-attr]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_a_js_sample_that_prints_its_error_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = _load("run_sdk_samples")
    monkeypatch.setattr(script, "js_modules", lambda: tmp_path / "node_modules")
    samples = tmp_path / "given"
    samples.mkdir()
    (samples / "caught.js").write_text('console.log("error code: ", "Conflict");\n')
    (samples / "fine.js").write_text("console.log(process.env.KEYVAULT_URI, require('node:dns').lookup.name);\n")
    results = script.run_samples(sorted(samples.glob("*.js")), "https://kv.localhost:1", "", timeout=60, js=True)
    assert [(name, passed) for name, passed, _, _ in results] == [("caught", False), ("fine", True)]
    assert results[1][3].startswith("https://kv.localhost:1")
