"""A description of the machine and software a benchmark ran on."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path

PACKAGES = ("quiz", "textual", "fsrs", "sqlite-utils", "PyYAML", "rapidfuzz", "anki")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1048576:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, str]:
    """CPU model, cores, memory, OS, Python, SQLite, libyaml and package versions."""
    import yaml

    info = {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": _memory(),
        "OS": platform.platform(),
        "Python": platform.python_version() + f" ({platform.python_implementation()})",
        "SQLite": sqlite3.sqlite_version,
        "libyaml": "yes" if getattr(yaml, "__with_libyaml__", False) else "no",
    }
    info.update({p: _version(p) for p in PACKAGES})
    return info
