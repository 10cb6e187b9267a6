"""Walking a directory reads logs, not the docs and config files that sit beside them."""

from __future__ import annotations

from audit.readers.inputs import expand_paths


def _names(paths, **kw):
    return sorted(p.path.rsplit("/", 1)[-1] for p in expand_paths(paths, **kw))


def test_directory_walk_skips_docs_config_and_databases(tmp_path):
    for name in ("a.jsonl", "b.txt", "c.csv.gz", "README.md", "workloads.yaml", "audit.toml", "llm-audit.db"):
        (tmp_path / name).write_text("x\n")
    assert _names([str(tmp_path)]) == ["a.jsonl", "b.txt", "c.csv.gz"]


def test_include_and_explicit_paths_still_reach_any_file(tmp_path):
    (tmp_path / "notes.md").write_text("Patient notes\n")
    (tmp_path / "a.jsonl").write_text("{}\n")
    assert _names([str(tmp_path)], include=["*.md"]) == ["notes.md"]
    assert _names([str(tmp_path / "notes.md")]) == ["notes.md"]
