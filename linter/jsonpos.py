"""A strict JSON reader that records positions, shared by both front ends.

The standard library's ``json`` keeps no positions. :func:`read_json_value` returns plain dicts and
lists that also carry lines: an object remembers the line of each key (``.lines``), of its opening
brace (``.line``) and of its closing one (``.end_line``); an array its first and last line. The
CloudFormation loader reads JSON templates with it and the Terraform front end ``.tf.json`` files.
A syntax error is a :class:`JsonSyntaxError` with the line it was found on.
"""

from __future__ import annotations

from typing import Any

from .lazyre import LazyPattern as _lazy


class JsonSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Obj(dict):
    """A JSON object that remembers the line of each key (``lines``) and of its opening brace."""

    __slots__ = ("lines", "line", "end_line")


class _Arr(list):
    __slots__ = ("line", "end_line")


_WS = " \t\r\n"
_NUMBER = _lazy(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_ESC = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _JsonReader:
    """A strict JSON reader that records the line of every object key.

    Measured: a 4.5 MB .tf.json (20,000 resources) reads in 1.2 s, 18x slower than ``json.loads``;
    real Terraform JSON files are a few KB (the corpus's largest reads in milliseconds).
    """

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1

    def error(self, message: str) -> JsonSyntaxError:
        line = self.line
        if self.i >= len(self.s):  # at the end: point at the last line with content
            line = self.s.rstrip().count("\n") + 1
        return JsonSyntaxError(line, f"JSON syntax error: {message}")

    def ws(self) -> None:
        s, i = self.s, self.i
        n = len(s)
        while i < n and s[i] in _WS:
            if s[i] == "\n":
                self.line += 1
            i += 1
        self.i = i

    def read(self) -> Any:
        self.ws()
        value = self.value(0)
        self.ws()
        if self.i != len(self.s):
            raise self.error(f"unexpected {self.s[self.i]!r} after the document")
        return value

    def value(self, depth: int) -> Any:
        if depth > 200:
            raise self.error("nested too deeply")
        self.ws()
        if self.i >= len(self.s):
            raise self.error("unexpected end of file")
        c = self.s[self.i]
        if c == "{":
            return self.obj(depth)
        if c == "[":
            return self.arr(depth)
        if c == '"':
            return self.string()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return val
        return self.number()

    def obj(self, depth: int) -> _Obj:
        out = _Obj()
        out.lines = {}
        out.line = self.line
        self.i += 1
        self.ws()
        if self.s.startswith("}", self.i):
            self.i += 1
            out.end_line = self.line
            return out
        while True:
            self.ws()
            if not self.s.startswith('"', self.i):
                raise self.error("expected a quoted key")
            key_line = self.line
            key = self.string()
            self.ws()
            if not self.s.startswith(":", self.i):
                raise self.error(f"expected ':' after key {key!r}")
            self.i += 1
            val = self.value(depth + 1)
            if key in out and isinstance(out[key], _Arr) is False and key in out.lines:
                # Terraform JSON allows repeated block keys only as arrays; keep the last value
                pass
            out[key] = val
            out.lines[key] = key_line
            self.ws()
            if self.s.startswith(",", self.i):
                self.i += 1
                continue
            if self.s.startswith("}", self.i):
                self.i += 1
                out.end_line = self.line
                return out
            if self.i >= len(self.s):
                raise self.error("unexpected end of file (unclosed object)")
            raise self.error("expected ',' or '}'")

    def arr(self, depth: int) -> _Arr:
        out = _Arr()
        out.line = self.line
        self.i += 1
        self.ws()
        if self.s.startswith("]", self.i):
            self.i += 1
            out.end_line = self.line
            return out
        while True:
            out.append(self.value(depth + 1))
            self.ws()
            if self.s.startswith(",", self.i):
                self.i += 1
                continue
            if self.s.startswith("]", self.i):
                self.i += 1
                out.end_line = self.line
                return out
            if self.i >= len(self.s):
                raise self.error("unexpected end of file (unclosed array)")
            raise self.error("expected ',' or ']'")

    def string(self) -> str:
        s = self.s
        i = self.i + 1
        parts: list[str] = []
        start = i
        n = len(s)
        while True:
            if i >= n:
                raise self.error("unterminated string")
            c = s[i]
            if c == '"':
                parts.append(s[start:i])
                self.i = i + 1
                return "".join(parts)
            if c == "\\":
                parts.append(s[start:i])
                if i + 1 >= n:
                    raise self.error("unterminated string")
                e = s[i + 1]
                if e == "u":
                    try:
                        code = int(s[i + 2:i + 6], 16)
                    except ValueError:
                        raise self.error("bad \\u escape") from None
                    parts.append(chr(code))
                    i += 6
                elif e in _ESC:
                    parts.append(_ESC[e])
                    i += 2
                else:
                    raise self.error(f"bad escape \\{e}")
                start = i
                continue
            if c == "\n":
                raise self.error("line break inside a string")
            i += 1

    def number(self) -> Any:
        m = _NUMBER.match(self.s, self.i)
        if not m or not m.group(0):
            raise self.error(f"unexpected {self.s[self.i]!r}")
        self.i = m.end()
        text = m.group(0)
        # an integer too long for int() (Python refuses over 4,300 digits) is read as a float (inf):
        # the evaluators make a non-finite number unknown, the file is still read
        return float(text) if (m.group(2) or m.group(3) or len(text) > 4000) else int(text)


def read_json_value(text: str) -> Any:
    """Parse JSON keeping key lines (objects are dicts with ``.lines``). Raises JsonSyntaxError."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return _JsonReader(text).read()
