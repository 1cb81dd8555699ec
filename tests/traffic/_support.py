"""Helpers of the traffic tests: the real sessions, files written on the fly, and the HAR 1.2 structure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.traffic import RecordedExchange, TrafficItem, Unparsed

SESSIONS = Path(__file__).parent.parent / "data" / "real-sessions"
HARS = sorted(SESSIONS.glob("*.har"))
RECORDINGS = sorted(SESSIONS.glob("*.recording.json"))


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


def exchanges(items: list[TrafficItem]) -> list[RecordedExchange]:
    return [item for item in items if isinstance(item, RecordedExchange)]


def unparsed(items: list[TrafficItem]) -> list[Unparsed]:
    return [item for item in items if isinstance(item, Unparsed)]


def har(*entries: Any) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": "test", "version": "0"}, "entries": list(entries)}}


def har_entry(
    method: str = "GET",
    url: str = "https://v.vault.azure.net/certificates/c/pending?api-version=7.6",
    status: int = 200,
    text: str = '{"status": "inProgress"}',
    **extra: Any,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "startedDateTime": "2024-02-06T03:10:49.123Z",
        "time": 12.5,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": [], "queryString": []},
        "response": {
            "status": status,
            "statusText": "",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
        },
    }
    entry.update(extra)
    return entry


_NAME_VALUES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name", "value"],
        "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
    },
}

# The required members of HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), with their types.
HAR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["log"],
    "properties": {
        "log": {
            "type": "object",
            "required": ["version", "creator", "entries"],
            "properties": {
                "version": {"const": "1.2"},
                "creator": {
                    "type": "object",
                    "required": ["name", "version"],
                    "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
                },
                "pages": {"type": "array"},
                "entries": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
                        "properties": {
                            "startedDateTime": {"type": "string", "format": "date-time"},
                            "time": {"type": "number", "minimum": 0},
                            "request": {
                                "type": "object",
                                "required": [
                                    "method",
                                    "url",
                                    "httpVersion",
                                    "cookies",
                                    "headers",
                                    "queryString",
                                    "headersSize",
                                    "bodySize",
                                ],
                                "properties": {
                                    "method": {"type": "string"},
                                    "url": {"type": "string"},
                                    "httpVersion": {"type": "string"},
                                    "cookies": {"type": "array"},
                                    "headers": _NAME_VALUES,
                                    "queryString": _NAME_VALUES,
                                    "postData": {
                                        "type": "object",
                                        "required": ["mimeType", "text"],
                                        "properties": {"mimeType": {"type": "string"}, "text": {"type": "string"}},
                                    },
                                    "headersSize": {"type": "integer"},
                                    "bodySize": {"type": "integer"},
                                },
                            },
                            "response": {
                                "type": "object",
                                "required": [
                                    "status",
                                    "statusText",
                                    "httpVersion",
                                    "cookies",
                                    "headers",
                                    "content",
                                    "redirectURL",
                                    "headersSize",
                                    "bodySize",
                                ],
                                "properties": {
                                    "status": {"type": "integer"},
                                    "statusText": {"type": "string"},
                                    "httpVersion": {"type": "string"},
                                    "cookies": {"type": "array"},
                                    "headers": _NAME_VALUES,
                                    "content": {
                                        "type": "object",
                                        "required": ["size", "mimeType"],
                                        "properties": {
                                            "size": {"type": "integer"},
                                            "mimeType": {"type": "string"},
                                            "text": {"type": "string"},
                                        },
                                    },
                                    "redirectURL": {"type": "string"},
                                    "headersSize": {"type": "integer"},
                                    "bodySize": {"type": "integer"},
                                },
                            },
                            "cache": {"type": "object"},
                            "timings": {
                                "type": "object",
                                "required": ["send", "wait", "receive"],
                                "properties": {
                                    "send": {"type": "number", "minimum": -1},
                                    "wait": {"type": "number", "minimum": -1},
                                    "receive": {"type": "number", "minimum": -1},
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}
