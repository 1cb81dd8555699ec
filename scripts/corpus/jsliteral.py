"""A reader of the JavaScript that nock's recorder writes (``nock(origin).post(path, body).reply(status, body,
headers)``): string, number, boolean, null, array and object literals, and the chained calls of each ``nock(...)``.
It evaluates nothing: what is not a literal is an error."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["LiteralError", "nock_calls"]


class LiteralError(ValueError):
    pass


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class _Reader:
    def __init__(self, text: str, at: int = 0) -> None:
        self.text = text
        self.at = at

    def space(self) -> None:
        while self.at < len(self.text):
            if self.text[self.at].isspace():
                self.at += 1
            elif self.text.startswith("//", self.at):
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            elif self.text.startswith("/*", self.at):
                end = self.text.find("*/", self.at)
                self.at = len(self.text) if end < 0 else end + 2
            else:
                return

    def peek(self) -> str:
        self.space()
        return self.text[self.at] if self.at < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise LiteralError(f"expected {char!r} at {self.at}, found {self.text[self.at : self.at + 30]!r}")
        self.at += 1

    def value(self) -> Any:
        char = self.peek()
        if char in "'\"`":
            text = self.string()
            while self.peek() == "+":  # 'a' + 'b': a long header value split over lines
                self.at += 1
                text += self.string() if self.peek() in "'\"`" else str(self.value())
            return text
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        number = _NUMBER.match(self.text, self.at)
        if number:
            self.at = number.end()
            return json.loads(number.group())
        name = _NAME.match(self.text, self.at)
        if name and name.group() in ("true", "false", "null", "undefined"):
            self.at = name.end()
            return {"true": True, "false": False}.get(name.group())
        raise LiteralError(f"not a literal at {self.at}: {self.text[self.at : self.at + 40]!r}")

    def string(self) -> str:
        quote = self.text[self.at]
        self.at += 1
        out: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == quote:
                self.at += 1
                return "".join(out)
            if char == "\\":
                nxt = self.text[self.at + 1]
                if nxt == "u":
                    out.append(chr(int(self.text[self.at + 2 : self.at + 6], 16)))
                    self.at += 6
                    continue
                if nxt == "x":
                    out.append(chr(int(self.text[self.at + 2 : self.at + 4], 16)))
                    self.at += 4
                    continue
                if nxt == "\n":
                    self.at += 2
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                self.at += 2
                continue
            out.append(char)
            self.at += 1
        raise LiteralError("unterminated string")

    def array(self) -> list[Any]:
        self.expect("[")
        items: list[Any] = []
        while self.peek() != "]":
            items.append(self.value())
            if self.peek() == ",":
                self.at += 1
        self.at += 1
        return items

    def object(self) -> dict[str, Any]:
        self.expect("{")
        members: dict[str, Any] = {}
        while self.peek() != "}":
            if self.peek() in "'\"":
                key = self.string()
            else:
                name = _NAME.match(self.text, self.at)
                if not name:
                    raise LiteralError(f"bad key at {self.at}")
                key = name.group()
                self.at = name.end()
            self.expect(":")
            members[key] = self.value()
            if self.peek() == ",":
                self.at += 1
        self.at += 1
        return members

    def skip_arguments(self) -> None:
        """Past a balanced ``( ... )`` whatever it holds (strings and regular expressions are not looked into)."""
        self.expect("(")
        depth = 1
        while self.at < len(self.text) and depth:
            char = self.text[self.at]
            if char in "'\"`":
                self.string()
                continue
            depth += {"(": 1, ")": -1}.get(char, 0)
            self.at += 1

    def arguments(self) -> list[Any]:
        self.expect("(")
        items: list[Any] = []
        while self.peek() != ")":
            items.append(self.value())
            if self.peek() == ",":
                self.at += 1
        self.at += 1
        return items


def nock_calls(text: str) -> list[list[tuple[str, list[Any]]]]:
    """Each ``nock(...)`` statement as its calls, ``[("nock", [origin, options]), ("post", [path, body]), ...]``."""
    statements: list[list[tuple[str, list[Any]]]] = []
    for match in re.finditer(r"(?m)^\s*nock\(", text):
        reader = _Reader(text, match.end() - 1)
        calls = [("nock", reader.arguments())]
        while reader.peek() == ".":
            reader.at += 1
            name = _NAME.match(text, reader.at)
            if not name:
                raise LiteralError(f"bad call at {reader.at}")
            reader.at = name.end()
            if name.group().startswith("filtering"):  # a function the recorder wrote for playback: not traffic
                reader.skip_arguments()
                continue
            calls.append((name.group(), reader.arguments()))
        statements.append(calls)
    return statements
