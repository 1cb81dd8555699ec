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
