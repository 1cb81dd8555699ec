"""``scripts/run_sdk_samples_jvm_go.py``: how it reports the Java samples it is given. Each is compiled alone, one
without a ``main`` is skipped and said so, an error an async call dropped is a failure. Plain Java programs stand in
for the SDK's samples (no SDK needed). A Go example that reads a certificate no example creates is told apart."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "run_sdk_samples_jvm_go.py"
_PROGRAMS = {
    "Good.java": 'public class Good { public static void main(String[] args) { System.out.println("ok"); } }\n',
    "Broken.java": 'public class Broken { public static void main(String[] args) { int x = "text"; } }\n',
    "Snippets.java": "public class Snippets { public void createCertificate() { } }\n",
    "Swallowed.java": (
        "public class Swallowed { public static void main(String[] args) {"
        ' reactor.core.publisher.Hooks.drop(new IllegalStateException("status 400")); } }\n'
    ),
}
# Reactor's Hooks as far as the launcher uses it, and a way for a program to have an error dropped.
_HOOKS = """package reactor.core.publisher;
public final class Hooks {
    private static java.util.function.Consumer<? super Throwable> hook = error -> { };
    public static void onErrorDropped(java.util.function.Consumer<? super Throwable> consumer) { hook = consumer; }
    public static void drop(Throwable error) { hook.accept(new RuntimeException("callback not implemented", error)); }
}
"""


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_sdk_samples_jvm_go", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_summary_counts_skipped_samples_apart_from_passed_and_failed() -> None:
    lines = _script()._summary(
        [("java A", "pass", 1.0, ""), ("java B", "FAIL", 2.0, "boom"), ("java C", "skip", 0.0, "no main method")]
    )

    assert lines[0].startswith("pass") and lines[1].startswith("FAIL") and lines[1].endswith("boom")
    assert lines[2].startswith("skip") and lines[2].endswith("no main method")
    assert lines[-1] == "1 passed, 1 failed, 1 skipped"


def test_summary_counts_passes_given_a_precondition_apart_from_passes() -> None:
    lines = _script()._summary([("go A", "pass", 1.0, ""), ("go B", "given", 1.0, 'reads "certName"')])

    assert lines[1].startswith("given") and lines[1].endswith('reads "certName"')
    assert lines[-1] == "1 passed, 0 failed, 1 passed given their precondition"


def test_a_go_example_needs_the_certificates_it_reads_that_no_example_creates() -> None:
    bodies = {
        "ExampleClient_CreateCertificate": '\tresp, err := client.CreateCertificate(context.TODO(), "made", p, nil)\n',
        "ExampleClient_ImportCertificate": '\tclient.ImportCertificate(context.TODO(), "imported", p, nil)\n',
        "ExampleClient_GetCertificate": '\tresp, err := client.GetCertificate(context.TODO(), "certName", "", nil)\n',
        "ExampleClient_UpdateCertificate": '\tclient.UpdateCertificate(ctx, "made", "", p, nil)\n',
        "ExampleClient_NewListCertificatePropertiesPager": "\tpager := client.NewListCertificatePropertiesPager(nil)\n",
    }

    needs = _script()._go_preconditions(bodies)

    assert needs == {
        "ExampleClient_CreateCertificate": [],
        "ExampleClient_ImportCertificate": [],
        "ExampleClient_GetCertificate": ["certName"],
        "ExampleClient_UpdateCertificate": [],
        "ExampleClient_NewListCertificatePropertiesPager": [],
    }


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("javac") and shutil.which("keytool")), reason="needs a JDK")
def test_a_sample_that_does_not_compile_fails_alone_and_one_without_main_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kvconform_vault import localhost_tls

    script = _script()
    java = shutil.which("java") or "java"
    stubs = tmp_path / "stubs"
    (tmp_path / "Hooks.java").write_text(_HOOKS, encoding="utf-8")
    subprocess.run([shutil.which("javac") or "javac", "-d", str(stubs), str(tmp_path / "Hooks.java")], check=True)
    monkeypatch.setattr(script._java, "prepare", lambda **_: SimpleNamespace(java=java, classpath=str(stubs)))
    samples = tmp_path / "samples"
    samples.mkdir()
    for name, text in _PROGRAMS.items():
        (samples / name).write_text(text, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    ca_file = localhost_tls(tmp_path).ca_file

    results = script._java_samples(sorted(samples.glob("*.java")), "https://127.0.0.1:1", str(ca_file), work, [])

    verdicts = {name: (verdict, why) for name, verdict, _, why in results}
    assert verdicts["java Good"][0] == "pass"
    assert verdicts["java Broken"][0] == "FAIL" and "does not compile" in verdicts["java Broken"][1]
    assert verdicts["java Snippets"] == ("skip", "no main method: not a runnable program")
    assert (
        verdicts["java Swallowed"][0] == "FAIL" and "IllegalStateException: status 400" in verdicts["java Swallowed"][1]
    )


_GO_EXAMPLES = """package samples_test

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"
)

var client *azcertificates.Client

func Example_nothing() {}

func ExampleClient_GetCertificate() {
	resp, err := client.GetCertificate(context.TODO(), "certName", "", nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(*resp.ID)
}

func Example_broken() {
	panic("broken")
}
"""


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("go"), reason="needs Go")
def test_a_go_example_that_reads_a_certificate_no_example_creates_passes_given_it(tmp_path: Path) -> None:
    from kvconform_vault import VaultSettings, localhost_tls, running_vault

    script = _script()
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "example_test.go").write_text(_GO_EXAMPLES, encoding="utf-8")
    (tmp_path / "work").mkdir()
    tls = localhost_tls(tmp_path)
    ssl = {"ssl_certfile": str(tls.cert_file), "ssl_keyfile": str(tls.key_file)}
    with running_vault(VaultSettings(issuance_delay=0.2), **ssl) as url:
        results = script._go_samples(
            [tmp_path / "samples" / "example_test.go"], url, str(tls.ca_file), tmp_path / "work", []
        )

    verdicts = {name: (verdict, why) for name, verdict, _, why in results}
    assert verdicts["go Example_nothing"][0] == "pass"
    assert verdicts["go ExampleClient_GetCertificate"] == (
        "given",
        'reads "certName", which no example creates: created first',
    )
    assert verdicts["go Example_broken"][0] == "FAIL" and "broken" in verdicts["go Example_broken"][1]
