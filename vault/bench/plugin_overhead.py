"""What installing kvconform-vault costs an app's test run that does not use ``mock_keyvault``.

    python vault/bench/plugin_overhead.py [--runs 15] [--keep DIR]

Builds two fresh virtual environments (or reuses them in ``--keep DIR``): ``bare`` with pytest only, ``vault`` with
pytest and this repository's ``vault/`` distribution (pip install, as an app developer does: no kvconform, no
schemathesis, hypothesis or allure). In each, a one-test file (the fixture not used) runs ``--runs`` times,
alternately, and the script prints the median and the lowest wall time of each and their difference. Then a test
using ``mock_keyvault`` runs once in ``vault``, to show the fixture works there.

Bytecode is written as on a user's machine (``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment): with it set, every run compiles again what pytest rewrites, anyio's pytest plugin included.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the repository's bench helpers
from _common import machine, median, spread, verdict

GOAL = 0.3  # seconds more than bare pytest, one test, fixture not used
VAULT = Path(__file__).resolve().parents[1]

ONE_TEST = "def test_one():\n    assert 1 + 1 == 2\n"
MOCK_TEST = """import json, ssl, urllib.request


def test_mock_keyvault_creates_a_certificate(mock_keyvault):
    context = ssl.create_default_context(cafile=mock_keyvault.ca_bundle)
    token = mock_keyvault.credential.get_token("https://vault.azure.net/.default").token
    request = urllib.request.Request(
        mock_keyvault.url + "/certificates/app-tls/create?api-version=7.6",
        method="POST",
        data=json.dumps({"policy": {"issuer": {"name": "Self"}, "x509_props": {"subject": "CN=app"}}}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, context=context) as answer:
        assert answer.status == 202
        assert json.load(answer)["status"] == "inProgress"
"""


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.pop("PYTEST_ADDOPTS", None)
    environment.pop("PYTEST_PLUGINS", None)
    return environment


def _venv(path: Path, *packages: str) -> Path:
    if not (path / "bin" / "pytest").exists():
        print(f"creating {path.name}: pip install {' '.join(packages)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        pip = [str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, *packages], check=True, env=_environment())
    return path / "bin" / "pytest"


def _run(pytest: Path, test: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [str(pytest), "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=test.parent,
        env=_environment(),
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{pytest} {test.name} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) the two environments in DIR")
    args = parser.parse_args()
    print("== kvconform-vault: a one-test run with the pytest plugin installed, fixture not used")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(args.keep) if args.keep else Path(scratch)
        home.mkdir(parents=True, exist_ok=True)
        bare = _venv(home / "bare", "pytest")
        vault = _venv(home / "vault", "pytest", str(VAULT))
        one, mock = home / "test_one.py", home / "test_mock.py"
        one.write_text(ONE_TEST)
        mock.write_text(MOCK_TEST)
        for pytest in (bare, vault):
            _run(pytest, one)  # the first run writes the bytecode
        times: dict[str, list[float]] = {"bare": [], "vault": []}
        for _ in range(args.runs):
            times["bare"].append(_run(bare, one))
            times["vault"].append(_run(vault, one))
        for name, values in times.items():
            print(f"{name:6} median {median(values):.3f} s, lowest {min(values):.3f} s  {spread(values, '{:.3f}')}")
        extra = median(times["vault"]) - median(times["bare"])
        lowest = min(times["vault"]) - min(times["bare"])
        print(f"the plugin installed costs {extra:+.3f} s (medians; lowest: {lowest:+.3f} s)")
        print(f"goal: at most {GOAL} s more than bare pytest: {verdict(extra <= GOAL)}")
        print(
            f"a test using mock_keyvault in 'vault': passed in {_run(vault, mock):.2f} s (wall, the vault's start too)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
