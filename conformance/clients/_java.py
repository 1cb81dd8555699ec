"""The Java flows: ``java/Flows.java`` on the official ``azure-security-keyvault-certificates``, built once.

``prepare`` finds ``java``, ``javac`` and ``mvn``; the first time, Maven resolves ``java/pom.xml``'s dependencies
from Maven Central into ``<cache>/maven`` (``dependency:build-classpath``) and javac compiles ``Flows.java`` into
``<cache>/java-<hash>/``. ``run_java`` runs it against the target with the ``KVCONFORM_CLIENT_*`` settings: the
throw-away CA as the JVM's trust store, a static-token credential, challenge verification on for the Azure clouds'
vaults only (the Java SDK cannot parse the resource the vault names for an IP address: see docs/mock-vault-java-go.md).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from .._auth import TokenProvider
from .._config import TargetConfig
from .._x509 import ThrowawayCA
from ._build import Progress, budget, build_once, client_environment, run_tool, source_hash, tool
from ._js import cache_root
from ._model import SDK_PACKAGES, ClientRun
from ._script import run_script

__all__ = ["JavaRuntime", "SDK_VERSION", "build_dir", "prepare", "run_java"]

SDK_VERSION = "4.8.5"  # java/pom.xml's azure-security-keyvault-certificates
SOURCES = ("pom.xml", "Flows.java")
_JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")  # a short run on few cores


@dataclasses.dataclass(frozen=True)
class JavaRuntime:
    java: str
    classpath: str  # the compiled Flows and the SDK's jars


def build_dir(root: Path) -> Path:
    return root / f"java-{source_hash('java', SOURCES)}"


def prepare(*, offline: bool = False, cache: Path | None = None, progress: Progress | None = None) -> JavaRuntime:
    """java and the compiled flows with their classpath (resolved and compiled now, the first time)."""
    say = progress or (lambda line: None)
    java = tool("java", "install a JDK (11 or later) to run the Java client")
    javac = tool("javac", "install a JDK (11 or later), not only a JRE, to run the Java client")
    root = cache or cache_root()
    repository = root / "maven"

    def build(sources: Path, output: Path) -> None:
        mvn = tool("mvn", f"Maven is needed once, to fetch {SDK_PACKAGES['java']} {SDK_VERSION} into {repository}")
        say(
            f"kvconform: building the Java client ({SDK_PACKAGES['java']} {SDK_VERSION}): Maven fetches it and its "
            f"dependencies from Maven Central into {repository} (once; later runs reuse it)"
        )
        environment = dict(os.environ)
        classpath = output / "classpath.txt"
        resolve = [
            mvn,
            "-B",
            "-q",
            f"-Dmaven.repo.local={repository}",
            "dependency:build-classpath",
            f"-Dmdep.outputFile={classpath}",
        ]
        run_tool(resolve, cwd=sources, env=environment, what=f"mvn dependency:build-classpath ({SDK_VERSION})")
        jars = classpath.read_text(encoding="utf-8").strip()
        compile_ = [javac, "-nowarn", "-d", str(output / "classes"), "-cp", jars, str(sources / "Flows.java")]
        run_tool(compile_, cwd=sources, env=environment, what="javac Flows.java")

    directory = build_once(
        build_dir(root),
        folder="java",
        files=SOURCES,
        build=build,
        offline=offline,
        what="the Java client",
        progress=say,
    )
    jars = (directory / "classpath.txt").read_text(encoding="utf-8").strip()
    return JavaRuntime(java, os.pathsep.join([str(directory / "classes"), jars]))


def run_java(
    config: TargetConfig, provider: TokenProvider, runtime: JavaRuntime, *, ca: ThrowawayCA, secrets: tuple[str, ...]
) -> ClientRun:
    """Run the Java flows against ``config.target`` and turn their JSON lines into a ``ClientRun``."""
    run = ClientRun("java", sdk=f"{SDK_PACKAGES['java']} {SDK_VERSION}")
    environment = client_environment(config, provider, "java")
    command = [runtime.java, *_JVM_OPTIONS, "-cp", runtime.classpath, "Flows"]
    return run_script(run, command, environment, ca=ca, secrets=secrets, budget=budget(config), label="Java program")
