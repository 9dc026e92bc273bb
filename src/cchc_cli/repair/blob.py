"""A plain container for model artifacts: named typed arrays and text, gzip-compressed. No pickle.

Layout (after gunzip): the line ``CCHC-BLOB 1``, one JSON line describing the parts
[{"name", "type": array typecode or "text", "length" (items), "bytes"}], then the parts' raw little-endian
bytes in that order. Anything else is refused, so a file cannot make the loader run code.
"""

from __future__ import annotations

import gzip
import json
import sys
from array import array
from pathlib import Path

MAGIC = b"CCHC-BLOB 1\n"


def write_blob(path: Path, parts: dict[str, array | str], *, level: int = 9) -> None:
    header = []
    chunks = []
    for name, value in parts.items():
        if isinstance(value, str):
            data = value.encode("utf-8")
            header.append({"name": name, "type": "text", "length": len(value), "bytes": len(data)})
        else:
            if sys.byteorder != "little":
                value = array(value.typecode, value)
                value.byteswap()
            data = value.tobytes()
            header.append({"name": name, "type": value.typecode, "length": len(value), "bytes": len(data)})
        chunks.append(data)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level, mtime=0) as fh:
        fh.write(MAGIC)
        fh.write(json.dumps(header).encode("utf-8") + b"\n")
        for data in chunks:
            fh.write(data)
    tmp.replace(path)


def read_blob(data: bytes) -> dict[str, array | str]:
    raw = gzip.decompress(data)
    if not raw.startswith(MAGIC):
        raise ValueError("not a cchc model file")
    end = raw.index(b"\n", len(MAGIC))
    header = json.loads(raw[len(MAGIC) : end])
    pos = end + 1
    out: dict[str, array | str] = {}
    view = memoryview(raw)
    for part in header:
        chunk = view[pos : pos + part["bytes"]]
        pos += part["bytes"]
        if part["type"] == "text":
            out[part["name"]] = bytes(chunk).decode("utf-8")
        else:
            arr = array(part["type"])
            arr.frombytes(chunk)
            if sys.byteorder != "little":
                arr.byteswap()
            out[part["name"]] = arr
    return out
