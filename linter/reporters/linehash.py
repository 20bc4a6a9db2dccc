"""``primaryLocationLineHash``: the per-line fingerprint GitHub code scanning matches alerts by.

GitHub reads only this key of a result's ``partialFingerprints``; when it is missing, the
``upload-sarif`` action computes it from the checked-out file (github/codeql-action,
``src/fingerprints.ts``), and an upload through the REST API gets none (duplicate alerts). We
compute it the same way, so the value is there whichever way the SARIF reaches GitHub:

- the file is read as UTF-8 (an invalid byte becomes U+FFFD) and walked as UTF-16 code units, the
  unit JavaScript strings are made of;
- spaces and tabs are skipped, CR and CRLF count as LF;
- each line's hash is a polynomial rolling hash (base 37, 64-bit wrap-around) of the 100 code
  units starting at that line's first non-blank one (they run on into the next lines), the end of
  the file being one 0xFFFF unit followed by zeros;
- the value is the unsigned hash in lower-case hexadecimal, then ``:n`` where ``n`` counts the
  lines of the file so far with the same hash (identical lines stay distinct).

A result without a line gets the hash of line 1, as the action does for a location with no region.
"""

from __future__ import annotations

import os
import sys
from array import array

BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, BLOCK_SIZE, 1 << 64)
_EOF = 0xFFFF
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13


def _code_units(text: str) -> array:
    units = array("H")
    units.frombytes(text.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":  # pragma: no cover - the bytes above are little-endian
        units.byteswap()
    return units


def line_hashes(text: str, wanted: set[int] | None = None) -> dict[int, str]:
    """``{line: "hash:n"}`` for every line of ``text`` (1-based), or only the ``wanted`` lines (it
    stops reading once it has them all)."""
    window = [0] * BLOCK_SIZE
    line_at = [-1] * BLOCK_SIZE  # the line starting at this window slot, or -1
    h = 0
    index = 0
    line = 0
    line_start = True
    prev_cr = False
    counts: dict[str, int] = {}
    out: dict[int, str] = {}
    remaining = None if wanted is None else set(wanted)

    def emit() -> None:
        value = format(h, "x")
        counts[value] = counts.get(value, 0) + 1
        number = line_at[index]
        if remaining is None or number in remaining:
            out[number] = f"{value}:{counts[value]}"
            if remaining is not None:
                remaining.discard(number)
        line_at[index] = -1

    def units():
        yield from _code_units(text)
        yield _EOF

    for c in units():
        if c == _SPACE or c == _TAB or (prev_cr and c == _LF):
            prev_cr = False
            continue
        if c == _CR:
            c = _LF
            prev_cr = True
        else:
            prev_cr = False
        if line_at[index] != -1:
            emit()
            if remaining is not None and not remaining:
                return out
        if line_start:
            line_start = False
            line += 1
            line_at[index] = line
        if c == _LF:
            line_start = True
        begin = window[index]
        window[index] = c
        h = (_BASE * h + c - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % BLOCK_SIZE
    for _ in range(BLOCK_SIZE):  # the lines whose 100 units run past the end
        if line_at[index] != -1:
            emit()
        begin = window[index]
        window[index] = 0
        h = (_BASE * h - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % BLOCK_SIZE
    return out


def read_scanned(path: str) -> str | None:
    """The text of a scanned file again (for the reports), as a regular file within the size limit
    for a template, invalid UTF-8 as U+FFFD; None when it can no longer be read so."""
    from ..boundary import Resolved, read_regular
    from ..discovery import MAX_FILE_BYTES

    try:
        real = os.path.realpath(path)
        return read_regular(Resolved(real, os.stat(real)), MAX_FILE_BYTES).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def file_line_hashes(path: str, lines: set[int]) -> dict[int, str]:
    """The hashes of ``lines`` (0 or None meaning line 1) of the scanned file ``path``; empty when it
    can no longer be read."""
    text = read_scanned(path)
    return {} if text is None else line_hashes(text, {n or 1 for n in lines})
