"""One option vocabulary: a flag spelling means one thing in every command, and old spellings warn.

The walk goes through typer's click object, so a command added later is checked without editing this file.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import defaultdict
from contextlib import redirect_stderr

import pytest
from typer.main import get_command

from audit.cli import app
from audit.cli.options import DEPRECATED, VOCABULARY
from tests.conftest import REPO, SAMPLES, invoke

LOG = str(SAMPLES / "logs" / "litellm_card_support.jsonl")

# Spellings in commands another change is renaming. Delete each line once it is renamed.
PENDING: set[tuple[str, str]] = set()

# What each canonical spelling must look like besides its parameter name: the metavar it shows, and the
# spellings it always comes with.
SHOWN_AS = {"--output": "FILE", "-o": "FILE"}
PAIRED = {"--format": {"-f"}, "-f": {"--format"}, "--output": {"-o"}, "-o": {"--output"}}


def _commands(cmd=None, path=""):
    cmd = cmd or get_command(app)
    if getattr(cmd, "commands", None):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, f"{path} {name}".strip())
    else:
        yield path, cmd


def _options(cmd):
    return [p for p in cmd.params if p.param_type_name == "option"]


def test_the_walk_sees_every_command():
    paths = {path for path, _ in _commands()}
    assert {"scan", "report", "baseline create", "flows check", "registry list", "route export", "recommend"} <= paths
    assert len(paths) >= 25


def test_no_flag_spelling_means_two_things():
    meanings: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path, cmd in _commands():
        for param in _options(cmd):
            if param.hidden:
                continue
            # `--registry/--no-registry` sets registry=False where `--no-registry` alone sets no_registry=True
            named = [(s, param.name) for s in param.opts] + [(s, f"no_{param.name}") for s in param.secondary_opts]
            for spelling, name in named:
                if (path, spelling) in PENDING:
                    continue
                meanings[spelling].add(name)
                where[(spelling, name)].append(path)
    doubled = {s: {n: where[(s, n)] for n in names} for s, names in meanings.items() if len(names) > 1}
    assert not doubled, doubled


def test_canonical_flags_keep_their_one_meaning():
    seen = set()
    for path, cmd in _commands():
        for param in _options(cmd):
            if param.hidden:
                continue
            spellings = {*param.opts, *param.secondary_opts}
            for spelling in spellings & VOCABULARY.keys():
                if (path, spelling) in PENDING:
                    continue
                seen.add(spelling)
                assert param.name == VOCABULARY[spelling][0], (path, spelling, param.name)
                assert PAIRED.get(spelling, set()) <= spellings, (path, spelling, "comes without", PAIRED[spelling])
                if spelling in SHOWN_AS:
                    assert param.metavar == SHOWN_AS[spelling], (path, spelling, param.metavar)
    assert seen == set(VOCABULARY)


def test_json_is_a_shorthand_wherever_a_format_is_chosen():
    with_format = {p for p, c in _commands() if any("--format" in o.opts and not o.hidden for o in _options(c))}
    with_json = {p for p, c in _commands() if any("--json" in o.opts for o in _options(c))}
    assert with_json == with_format - {p for p, s in PENDING if s == "--format"}


def test_every_hidden_option_is_a_deprecated_alias_that_warns_once():
    hidden = {}
    for path, cmd in _commands():
        for param in _options(cmd):
            if param.hidden:
                hidden[(path, param.opts[0])] = (cmd, param)
    assert set(hidden) == set(DEPRECATED)
    for (path, old), (cmd, param) in hidden.items():
        ctx = cmd.make_context(path, [], resilient_parsing=True)
        for value, lines in (
            (None, []),
            ("x.json", [f"audit: warning: {old} is deprecated; use {DEPRECATED[path, old]}"]),
        ):
            err = io.StringIO()
            with redirect_stderr(err):
                param.callback(ctx, param, value)
            assert err.getvalue().splitlines() == lines, (path, old, value)


def test_help_shows_flags_without_a_type(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    for path, _ in [("", None), *_commands()]:
        code, out, _ = invoke(*path.split(), "--help")
        assert code == 0, path
        assert "<bool>" not in out, path
    _, out, _ = invoke("scan", "--help")
    assert "--show-values " in out and "--out " not in out  # deprecated aliases stay out of help


def _audit(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "audit", *args], capture_output=True, text=True, cwd=cwd)


def test_scan_old_spellings_warn_and_keep_working(tmp_path):
    out = tmp_path / "scan.json"
    old = _audit("scan", LOG, "--no-registry", "--no-cache", "--fail-on", "never", "-o", "json", "--out", str(out))
    assert old.returncode == 0, old.stderr
    warnings = [line for line in old.stderr.splitlines() if line.startswith("audit: warning:")]
    assert warnings == [
        "audit: warning: --out is deprecated; use --output",
        "audit: warning: -o/--output json (an output format) is deprecated; use --format json "
        "(-o now names the output file)",
    ]
    assert json.loads(out.read_text())["summary"]["records_read"] == 6
    new = _audit("scan", LOG, "--no-registry", "--no-cache", "--fail-on", "never", "--json", "-o", str(out), "-q")
    assert (new.returncode, new.stderr) == (0, "")
    assert json.loads(out.read_text())["summary"]["records_read"] == 6


def test_scan_format_naming_an_input_format_warns_and_reads_that_format():
    old = _audit("scan", LOG, "--no-registry", "--no-cache", "--fail-on", "never", "-q", "--format", "litellm")
    assert old.returncode == 0
    assert old.stderr.splitlines() == [
        "audit: warning: --format litellm (an input format) is deprecated; use --input-format litellm"
    ]
    bad = _audit("scan", LOG, "--no-registry", "--no-cache", "--fail-on", "never", "--json", "-f", "table")
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == ["audit: error: --json means --format json, not --format table: keep one"]


def test_baseline_and_route_export_aliases_warn(tmp_path):
    base = tmp_path / "base.json"
    made = _audit("baseline", "create", LOG, "--format", "litellm", "-o", str(base))
    assert made.returncode == 0, made.stderr
    assert made.stderr.splitlines()[0] == "audit: warning: --format is deprecated; use --input-format"
    assert json.loads(base.read_text())["entries"]
    config = tmp_path / "litellm.yaml"
    manifest = str(SAMPLES / "workloads.yaml")
    exported = _audit("route", "export", "--manifest", manifest, "--no-registry", "--out", str(config))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr.splitlines()[0] == "audit: warning: --out is deprecated; use --output"
    assert config.read_text().startswith("# LiteLLM proxy config")
    both = _audit("baseline", "create", LOG, "--format", "litellm", "--input-format", "jsonl", "-o", str(base))
    assert both.returncode == 2
    assert both.stderr.splitlines()[-1] == "audit: error: --format and --input-format both given: keep --input-format"


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("registry", "list", "--format", "jsn"), "--format: unknown format 'jsn' (did you mean json?)"),
        (("flows", "check", "-f", "yaml"), "--format: unknown format 'yaml'; choose from table, json"),
        (("report", "--json", "--format", "html"), "--json means --format json, not --format html: keep one"),
    ],
)
def test_format_errors_are_usage_errors_in_plain_words(args, shown):
    code, _, err = invoke(*args)
    assert code == 2
    assert shown in err


def test_docs_cli_lists_every_flag_and_every_deprecated_spelling():
    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert all(f"`{spelling}`" in doc for spelling in VOCABULARY), [s for s in VOCABULARY if f"`{s}`" not in doc]
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    for (command, old), new in DEPRECATED.items():
        assert any(r.startswith(f"| `{command}` | `{old}") and f"`{new}" in r for r in rows), (command, old, new)
