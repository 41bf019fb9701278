"""Reading export files back in tests."""

import csv
import io


def read(export) -> bytes:
    """The whole file of an ExportFile (or a streamed response)."""
    stream = getattr(export, "stream", None)
    if stream is None:
        return b"".join(export.streaming_content)
    try:
        return b"".join(stream)
    finally:
        stream.close()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
