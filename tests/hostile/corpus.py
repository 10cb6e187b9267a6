"""A corpus of nasty inputs, generated into a directory (never committed as big files).

`build(root)` writes the files and returns what each should produce: the line
numbers of its errors and how many records should still come out of it.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path

CHAT = {"messages": [{"role": "user", "content": "Please reset the password for Ada Quill."}]}
GOOD = json.dumps(CHAT)
DEEP_TOOL_DEPTHS = (50, 300, 450, 600, 5000)
MANY_PARTS = 100_000

# Message texts of n characters that once took super-linear time: a pattern retried from every
# capital of a run (facility, organisation), spaCy's tokenizer peeling affixes off a long token.
SLOW_SHAPES = {
    "upper-run": lambda n: "A" * n,
    "Ab-": lambda n: "Ab-" * (n // 3),
    "A.": lambda n: "A." * (n // 2),
    "AB-": lambda n: "AB-" * (n // 3),
    "U.S.": lambda n: "U.S." * (n // 4),
    "McA": lambda n: "McA" * (n // 3),
    "quotes": lambda n: '"' * n,
    "apostrophes": lambda n: "'" * n,
    "parens": lambda n: "(" * n,
    "hashes": lambda n: "#" * n,
    "dot-comma": lambda n: ".," * (n // 2),
    "emoji": lambda n: "\U0001f600" * n,
    "word-then-quotes": lambda n: "x" * (n // 2) + '"' * (n // 2),
    "possessives": lambda n: "a" + "'s" * (n // 2),
    "a.": lambda n: "a." * (n // 2),
}


@dataclass(frozen=True)
class Expect:
    """What reading one corpus file must yield."""

    error_lines: tuple[int, ...]
    records: int
    reason: str = ""  # a fragment every error's reason contains


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def deep_tool_results(depth: int) -> str:
    """JSON text of an Anthropic request whose tool_result content nests `depth` levels deep."""
    opening = '[{"type": "tool_result", "tool_use_id": "t", "content": '
    block = opening * depth + '"innermost"' + "}]" * depth
    return '{"system": "s", "messages": [{"role": "user", "content": ' + block + "}]}"


def build(root: Path, long_line_bytes: int = 8 * 1024 * 1024) -> dict[str, Expect]:
    """Write the corpus under `root`; returns {relative path: Expect}."""
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[bytes, Expect]] = {
        "truncated.jsonl": (f'{GOOD}\n{{"messages": [{{"role": "user", "content": "cut\n{GOOD}\n'.encode(), Expect((2,), 2, "invalid JSON")),
        "invalid.jsonl": (b"{messages: []}\n[1, 2]\n\"just a string\"\n{\"x\": 1}\n" + GOOD.encode() + b"\n", Expect((1,), 3)),  # shapes no format knows are read leaf by leaf
        "wrong_types.jsonl": ("\n".join(json.dumps(o) for o in [
            {"messages": 5}, {"messages": [{"role": None, "content": "x"}]}, {"messages": [{"role": "user", "content": {"type": "text", "text": 7}}]},
            {"system": [1], "messages": []}, {"custom_id": "c", "body": {"messages": "no"}}, {"input": [3.5]},
            {"request_id": "r", "call_type": "x", "messages": [["nested"]]}, CHAT,
        ]).encode() + b"\n", Expect((2, 3, 4, 5, 6, 7), 2)),  # {"messages": 5}: no format's shape, no text
        "bad_utf8.jsonl": (GOOD.encode() + b'\n{"messages": [{"role": "user", "content": "caf\xe9"}]}\n' + GOOD.encode() + b"\n", Expect((2,), 2, "UTF-8")),
        "bad_utf8.txt": (b"fine\n\xc3\x28 broken\n\xed\xa0\x80 surrogate\nfine again\n", Expect((2, 3), 2, "UTF-8")),
        "utf16_no_bom.jsonl": ((GOOD + "\n").encode("utf-16-le"), Expect((0,), 0, "binary")),
        "utf16_bom.txt": (codecs.BOM_UTF16_LE + "one prompt\nanother\n".encode("utf-16-le"), Expect((), 2)),
        "utf16_odd_tail.txt": (codecs.BOM_UTF16_LE + "one prompt\n".encode("utf-16-le") + b"\x41", Expect((2,), 1, "UTF-16")),
        "utf8_bom.jsonl": (codecs.BOM_UTF8 + GOOD.encode() + b"\n", Expect((), 1)),
        "nul_late.jsonl": (((GOOD + "\n") * 200).encode() + b'{"messages": [{"role": "user", "content": "a\x00b"}]}\n', Expect((201,), 200, "NUL bytes")),
        "nul_early.jsonl": (f"{GOOD}\n{GOOD}\n".encode() + b"\x00" * 4096 + f"\n{GOOD}\n{GOOD}\n".encode(), Expect((3,), 4, "NUL bytes")),
        "nul_early.txt": (b"one\ntwo\nth\x00ree\nfour\nfive\n", Expect((3,), 4, "NUL bytes")),
        "nul_early.jsonl.gz": (gzip.compress(f"{GOOD}\n{GOOD}\n".encode() + b"\x00\x00\n" + f"{GOOD}\n{GOOD}\n".encode()), Expect((3,), 4, "NUL bytes")),
        "binary.bin": (bytes(range(256)) * 64, Expect((0,), 0, "binary")),
        "empty.jsonl": (b"", Expect((), 0)),
        "huge_int.jsonl": (b'{"id": ' + b"9" * 5000 + b', "messages": []}\n' + GOOD.encode() + b"\n", Expect((1,), 1)),
        "deep.jsonl": (b'{"messages": ' * 50_000 + b"\n" + b"[" * 200_000 + b"\n" + GOOD.encode() + b"\n", Expect((1, 2), 1)),
        "many_parts.jsonl": (json.dumps({"messages": [{"role": "user", "content": [{"type": "text", "text": "p"}] * MANY_PARTS}]}).encode() + b"\n", Expect((), 1)),
        "broken_quotes.csv": (b'id,prompt\n1,"fine"\n2,"closed" junk\n3,ok\n4,"never closed\n5,after\n', Expect((3, 5), 3, "quoting")),
        "short.csv.gz": (_cut(gzip.compress(b"id,prompt\n" + b"".join(b"%d,row %d\n" % (i, i) for i in range(300)))), Expect((), -1, "ends early")),
        "cut.jsonl.gz": (gzip.compress(((GOOD + "\n") * 5000).encode())[:400], Expect((), -1, "ends early")),
        "not_really.gz": (b"\x1f\x8b" + b"garbage" * 10, Expect((1,), 0)),
        "long_line.jsonl": (b"", Expect((2,), 2, "longer than")),
    }  # fmt: skip
    for depth in DEEP_TOOL_DEPTHS:
        files[f"deep_tools_{depth}.jsonl"] = (
            deep_tool_results(depth).encode() + b"\n" + GOOD.encode() + b"\n",
            Expect((), -1),
        )
    for rel, (data, _) in files.items():
        if rel != "long_line.jsonl":
            (root / rel).write_bytes(data)
    with open(root / "long_line.jsonl", "wb") as fh:
        fh.write(GOOD.encode() + b"\n")
        fh.write(b'{"messages": [{"role": "user", "content": "')
        chunk = b"x" * (1 << 20)
        for _ in range(long_line_bytes // len(chunk)):
            fh.write(chunk)
        fh.write(b'"}]}\n' + GOOD.encode() + b"\n")
    return {rel: expect for rel, (_, expect) in files.items()}


def add_links(root: Path) -> dict[str, Expect]:
    """Symlink loops and a dangling link inside `root`; returns their expectations."""
    sub = root / "loops"
    sub.mkdir(parents=True)
    (sub / "inside.jsonl").write_text(GOOD + "\n")
    os.symlink("..", sub / "up")  # a directory loop back to root
    os.symlink(".", sub / "self_dir")  # a directory loop to itself
    os.symlink("self_file", sub / "self_file")  # ELOOP
    os.symlink("nowhere.jsonl", sub / "dangling.jsonl")
    return {
        "loops/inside.jsonl": Expect((), 1),
        "loops/self_file": Expect((0,), 0, "cannot open"),
        "loops/dangling.jsonl": Expect((0,), 0, "cannot open"),
    }


def names() -> list[str]:
    """The corpus's file names, without writing it."""
    return sorted(
        [
            "truncated.jsonl", "invalid.jsonl", "wrong_types.jsonl", "bad_utf8.jsonl", "bad_utf8.txt",
            "utf16_no_bom.jsonl", "utf16_bom.txt", "utf16_odd_tail.txt", "utf8_bom.jsonl", "nul_late.jsonl",
            "nul_early.jsonl", "nul_early.txt", "nul_early.jsonl.gz",
            "binary.bin", "empty.jsonl", "huge_int.jsonl", "deep.jsonl", "many_parts.jsonl", "broken_quotes.csv",
            "short.csv.gz", "cut.jsonl.gz", "not_really.gz", "long_line.jsonl",
            *(f"deep_tools_{d}.jsonl" for d in DEEP_TOOL_DEPTHS),
        ]
    )  # fmt: skip
