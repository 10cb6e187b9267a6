"""Compressed inputs: gzip, bzip2 and zstd, recognised by their magic bytes, never by their names.

Each is decompressed as a stream, so memory stays flat whatever the file's size. A damaged or
cut-off stream costs the rest of that file only, reported once with the line it stopped at
(TruncatedInput, which `inputs.iter_lines` turns into a ReadError).
"""

from __future__ import annotations

import gzip
import io

GZIP_MAGIC = b"\x1f\x8b"
BZIP2_MAGIC = b"BZh"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class TruncatedInput(Exception):
    """The stream ended early or cannot be decoded (a gzip file cut short); the rest of the file is lost."""


def decompressed(raw):
    """A peekable binary stream over `raw`, decompressing it when it starts with a gzip, bzip2 or zstd magic."""
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    head = buffered.peek(4)[:4]
    if head.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=buffered, mode="rb")
    if head.startswith(BZIP2_MAGIC):
        import bz2

        return io.BufferedReader(Decompressing(buffered, bz2.BZ2Decompressor, "bzip2"))
    if head == ZSTD_MAGIC:
        import zstandard

        return io.BufferedReader(Decompressing(buffered, lambda: zstandard.ZstdDecompressor().decompressobj(), "zstd"))
    return buffered


class Decompressing(io.RawIOBase):
    """A raw stream of what `source` decompresses to, stream after stream (pbzip2 and `zstd -T` concatenate them).

    `new()` makes a decompressor with the `decompress(data)`, `eof` and `unused_data` of bz2's and
    zstandard's. It is fed in small slices because zstd's decompress() has no output limit: one slice
    of a highly repetitive stream inflates to at most 32 MiB. A stream that is damaged, or ends inside
    a frame, raises TruncatedInput, then again on every later read.
    """

    FEED = 1024
    READ = 1 << 16

    def __init__(self, source, new, codec: str) -> None:
        super().__init__()
        self._source, self._new, self._codec = source, new, codec
        self._decompressor = new()
        self._fed = False  # the current stream has been given bytes: ending now would cut it
        self._input = memoryview(b"")
        self._output = memoryview(b"")
        self._failure: TruncatedInput | None = None

    def readable(self) -> bool:
        """True."""
        return True

    def readinto(self, buffer) -> int:
        """Fill `buffer` with decompressed bytes; 0 at the end of the last complete stream."""
        while not self._output:
            if self._failure:
                raise self._failure
            if not self._step():
                return 0
        size = min(len(buffer), len(self._output))
        buffer[:size] = self._output[:size]
        self._output = self._output[size:]
        return size

    def _step(self) -> bool:
        """Decompress one slice of input; False at a clean end of input."""
        if not self._input:
            self._input = memoryview(self._source.read(self.READ))
            if not self._input:
                if self._fed:
                    self._fail("ends early")
                return self._fed
        chunk, self._input = self._input[: self.FEED], self._input[self.FEED :]
        try:
            self._output = memoryview(self._decompressor.decompress(bytes(chunk)))
            ended = self._decompressor.eof
        except Exception as exc:  # noqa: BLE001 - bz2 raises OSError, zstandard ZstdError: the data is bad either way
            self._fail(f"is damaged ({type(exc).__name__})")
            return True
        self._fed = not ended
        if ended:  # the bytes after this stream start the next one
            rest = bytes(self._decompressor.unused_data) + bytes(self._input)
            self._decompressor, self._input = self._new(), memoryview(rest)
        return True

    def _fail(self, what: str) -> None:
        self._failure = TruncatedInput(f"{self._codec} stream {what}; rest of file lost")
