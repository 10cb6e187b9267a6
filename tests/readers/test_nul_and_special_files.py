"""NUL-damaged lines are skipped one by one, binary files are refused whole, and only regular files are opened."""

from __future__ import annotations

import gzip
import os
import random
import struct
import sys
import zlib
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.readers import ReadOptions, read_paths
from audit.readers.inputs import looks_binary
from tests.conftest import run_cli

from ._util import errors, jsonl, read, records

CHAT = {"messages": [{"role": "user", "content": "Please reset the password for Ada Quill."}]}
GOOD = jsonl(CHAT).encode()
CRASH_LINES = (
    b'{"messages": [{"role": "user", "content": "cut\x00\x00\x00\n',  # a line that ends in NUL bytes
    b"\x00" * 4096 + b"\n",  # a block of NUL bytes the crash left unwritten
    b"\x00" * 4096 + GOOD,  # ... with no newline of its own: it eats the next line's start
)


def _four_good_one_damaged(bad: bytes) -> bytes:
    return GOOD * 2 + bad + GOOD * 2


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = random.Random(7).randbytes(64 * 64 * 3)
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("bad", CRASH_LINES, ids=["nul-tail", "nul-block", "nul-block-joined"])
def test_a_nul_damaged_jsonl_line_is_skipped_and_the_other_four_records_are_read(tmp_path, bad):
    items = read(tmp_path, _four_good_one_damaged(bad))
    assert [r.line for r in records(items)] == [1, 2, 4, 5]
    ((line, reason),) = [(e.line, e.reason) for e in errors(items)]
    assert line == 3 and "NUL bytes" in reason


def test_a_nul_damaged_text_line_is_skipped_and_reported_with_its_number(tmp_path):
    data = b"first prompt\nsecond prompt\nthird \x00\x00 prompt\nfourth prompt\nfifth prompt\n"
    items = read(tmp_path, data, name="prompts.txt")
    assert [r.messages[0].text for r in records(items)] == [
        "first prompt",
        "second prompt",
        "fourth prompt",
        "fifth prompt",
    ]
    assert [(e.line, "NUL bytes" in e.reason) for e in errors(items)] == [(3, True)]


def test_a_nul_damaged_line_inside_gzip_is_skipped(tmp_path):
    items = read(tmp_path, gzip.compress(_four_good_one_damaged(CRASH_LINES[1])), name="log.jsonl.gz")
    assert [r.line for r in records(items)] == [1, 2, 4, 5]
    assert [e.line for e in errors(items)] == [3]


def test_a_nul_damaged_csv_row_is_skipped(tmp_path):
    items = read(tmp_path, b"id,prompt\n1,one\n2,tw\x00o\n3,three\n", name="log.csv")
    assert [r.messages[0].text for r in records(items)] == ["one", "three"]
    assert [(e.line, "NUL bytes" in e.reason) for e in errors(items)] == [(3, True)]


def test_a_forced_format_reports_nul_lines_too(tmp_path):
    items = read(tmp_path, b"one\ntw\x00o\nthree\n", name="log.dat", format="text")
    assert len(records(items)) == 2 and [e.line for e in errors(items)] == [2]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_png(), id="png"),
        pytest.param(Path(sys.executable).resolve().read_bytes()[:65536], id="elf"),
        pytest.param(random.Random(3).randbytes(20000), id="random"),
        pytest.param(bytes(range(256)) * 64, id="all-bytes"),
        pytest.param(b"\x00" * 20000, id="all-nul"),
        pytest.param(jsonl(CHAT, CHAT).encode("utf-16-le"), id="utf16-no-bom"),
    ],
)
def test_a_binary_file_is_refused_whole(tmp_path, content):
    items = read(tmp_path, content, name="data.jsonl")
    assert not records(items)
    ((line, reason),) = [(e.line, e.reason) for e in errors(items)]
    assert line == 0 and "binary file" in reason


@pytest.mark.parametrize(
    ("head", "binary"),
    [
        (b"no nul at all \x01\x02\x03", False),
        (b"good\ngood\nbad\x00\n", False),
        (b"good\nbad\x00\n", False),
        (b"good\nbad\x00\nbad\x00\n", True),
        (b"\x00\x00\x00\x00", True),
        (b"\n\n\n\x00", True),
    ],
)
def test_looks_binary_counts_lines_over_the_whole_sample(head, binary):
    assert looks_binary(head) is binary


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.jsonl"
    os.mkfifo(path)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_opening_it(tmp_path):
    with pytest.raises(InputError, match=r"pipe\.jsonl: not a regular file \(a named pipe\)"):
        list(read_paths([str(_fifo(tmp_path))], ReadOptions()))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("fmt", ["auto", "text", "jsonl"])
def test_a_character_device_is_refused_even_with_a_forced_format(fmt):
    with pytest.raises(InputError, match=r"^/dev/zero: not a regular file \(a character device\)"):
        list(read_paths(["/dev/zero"], ReadOptions(format=fmt)))


def test_a_symlink_to_a_device_is_refused(tmp_path):
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        list(read_paths([str(tmp_path / "zero.jsonl")], ReadOptions()))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize(
    "args", [["pipe.jsonl"], ["/dev/zero", "--input-format", "text"], ["/dev/zero", "--input-format", "jsonl"]]
)
def test_cli_refuses_special_files_with_exit_3_and_one_line(tmp_path, args):
    _fifo(tmp_path)
    proc = run_cli("scan", *args, cwd=tmp_path)
    err = proc.stderr.decode().strip()
    assert proc.returncode == 3, err
    assert args[0] in err and "not a regular file" in err and len(err.splitlines()) == 1


def test_cli_still_reads_stdin(tmp_path):
    proc = run_cli("scan", "-", "--input-format", "text", cwd=tmp_path, input=b"What is a tuple?\n")
    assert proc.returncode == 0, proc.stderr.decode()
