"""What every benchmark prints: the machine, medians and ratios. Timing lives here, never in tests."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
KVCONFORM = str(VENV_BIN / "kvconform")


def machine() -> str:
    """One line naming the machine: CPU, cores, load, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = "/".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{cpu}, {os.cpu_count()} cores, load {load}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return "[" + ", ".join(fmt.format(v) for v in values) + "]"


def timed(command: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall seconds of one command, and its completed process (output captured)."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started, done


def verdict(ok: bool) -> str:
    return "goal met" if ok else "goal NOT met"


def compile_package() -> str:
    """Compile kvconform's modules to bytecode, as ``pip install`` does, and say so.

    An editable install compiles them on first import, and not at all where ``PYTHONDONTWRITEBYTECODE`` is set (as
    on these machines): every pytest-xdist worker would then compile the package from source, which an installed
    kvconform never does. Python reads existing bytecode even with that variable set.
    """
    import compileall

    import conformance

    package = Path(conformance.__file__).parent
    compileall.compile_dir(str(package), quiet=1)
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    return f"bytecode: compiled for {package} (PYTHONDONTWRITEBYTECODE={flag!r})"


def header(title: str) -> None:
    print(f"== {title}")
    print(f"machine: {machine()}")
    print(compile_package())


def print_differences(judged: list[tuple[str, dict[str, str]]], what: str = "") -> int:
    """Say whether every run judged every requirement as the first did (``what`` follows the count of runs), list
    each difference; 1 when there is one, else 0 (the script's exit code)."""
    different = differences(judged)
    reference = judged[0][1]
    print(
        f"requirements judged: {len(reference)} in each of {len(judged)} runs{what}, "
        f"{'identical' if not different else f'{len(different)} differences'}"
    )
    for line in different:
        print(f"  {line}")
    return 1 if different else 0


def differences(judged: list[tuple[str, dict[str, str]]]) -> list[str]:
    """Each requirement a run judged otherwise than the first run did: ``judged`` is (label, status by requirement)."""
    reference = judged[0][1]
    return [
        f"{label}: {requirement} {statuses.get(requirement)} vs {reference.get(requirement)}"
        for label, statuses in judged
        for requirement in sorted(set(reference) | set(statuses))
        if statuses.get(requirement) != reference.get(requirement)
    ]
