"""User data bytes -> text, within a budget. Both front ends decode base64 user data through here.

EC2 accepts at most 16 KB of user data, but that can be gzip (cloud-init decompresses it), and a
small gzip stream can expand to gigabytes. Decompression stops at :data:`MAX_DECOMPRESSED_BYTES`;
past it, or when the gzip data is corrupt, the user data is Unknown with a reason, and the template
or module is still read.
"""

from __future__ import annotations

import base64
import binascii
import zlib

from .model import Unknown

#: Budget for decompressed user data. Real scripts are a few KB (EC2's limit is 16 KB before
#: compression); the largest decompressed user data in the shared corpus is far below this.
MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(raw: bytes) -> bool:
    return raw[:2] == _GZIP_MAGIC


def gunzip(raw: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes | Unknown:
    """Decompress gzip data (every member, as ``gzip -d`` and cloud-init do) without ever holding
    more than ``limit`` bytes of output. Unknown when it is larger or not valid gzip."""
    out: list[bytes] = []
    total = 0
    data = raw
    while data:
        d = zlib.decompressobj(wbits=31)  # 31: a gzip header and trailer
        try:
            while True:
                chunk = d.decompress(data, limit - total + 1)
                total += len(chunk)
                out.append(chunk)
                if total > limit:
                    return Unknown(f"gzip user data expands to over {limit // (1024 * 1024)} MB; "
                                   "not decompressed further")
                if d.eof or not d.unconsumed_tail:
                    break
                data = d.unconsumed_tail
        except zlib.error as exc:
            return Unknown(f"user data is gzip data that could not be decompressed ({exc})")
        if not d.eof:
            return Unknown("user data is gzip data that could not be decompressed (truncated)")
        data = d.unused_data
        if data and not is_gzip(data):
            break  # trailing bytes after the last member: ignored, as gzip does with a warning
    return b"".join(out)


def decode_bytes(raw: bytes) -> str | Unknown:
    """User data bytes as text: gzip is decompressed (within the budget); invalid UTF-8 is
    replaced, never fatal."""
    if is_gzip(raw):
        unzipped = gunzip(raw)
        if isinstance(unzipped, Unknown):
            return unzipped
        raw = unzipped
    return raw.decode("utf-8", errors="replace")


def decode_if_base64(text: str) -> str | Unknown:
    """CloudFormation: a literal that is one base64 token (CDK output, a pasted ``base64 -w0``) is
    user data already encoded, decoded here; anything else (a script) is returned as it is. Base64
    that decodes to neither gzip nor UTF-8 text is taken as the text it is."""
    stripped = text.strip()
    if not (len(stripped) >= 16 and len(stripped) % 4 == 0 and not any(c.isspace() for c in stripped)):
        return text
    try:
        raw = base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        return text
    if is_gzip(raw):
        return decode_bytes(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text


def decode_base64(text: str) -> str | Unknown:
    """Base64 user data (with or without gzip inside) as text; Unknown when it is not base64."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return Unknown("user data is not valid base64")
    return decode_bytes(raw)
