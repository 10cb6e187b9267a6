"""Every `audit ...` command in a fenced block of README.md and docs/*.md runs as written, on the samples.

A block whose commands hold placeholders (`logs/`, `NAME`, `[--root DIR]`) is marked with an HTML comment
`<!-- illustrative: ... -->` on the line before its fence and is not run; every other block is. Each file's
commands run in order in one workspace holding a copy of the samples (so `registry import` precedes `show`).
A command passes when it neither fails on usage (2) nor on input or at run time (3): a gate reached (1) is
what several examples show.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"(?P<before>[^\n]*)\n```(?P<lang>[a-z]*)\n(?P<body>.*?)```", re.S)
SHELL_LANGS = ("", "sh", "bash", "console", "shell")


def commands(doc: Path) -> list[str]:
    """The runnable `audit` command lines of a document, continuation lines joined, prompts stripped."""
    out = []
    for block in FENCE.finditer(doc.read_text(encoding="utf-8")):
        if block["lang"] not in SHELL_LANGS or block["before"].startswith("<!-- illustrative"):
            continue
        body = re.sub(r"\\\n\s*", " ", block["body"])
        for line in body.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("audit "):
                out.append(re.sub(r"\s+#.*$", "", line))
    return out


def test_the_documents_have_runnable_commands():
    assert sum(len(commands(doc)) for doc in DOCS) >= 10


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_documented_command_runs(doc, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(REPO / "samples", work / "samples")
    shutil.copytree(REPO / "tests" / "flows" / "fixtures", work / "tests" / "flows" / "fixtures")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "AUDIT_HOME": str(tmp_path / "home")}
    env.pop("AUDIT_DB", None)
    for command in commands(doc):
        done = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode in (0, 1), f"{doc.name}: `{command}` exited {done.returncode}: {done.stderr[-1500:]}"
        assert "Traceback" not in done.stderr
