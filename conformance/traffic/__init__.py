"""Recorded traffic in and out: HAR 1.2 and Azure SDK recordings read as exchanges, and HAR written from a run.

Readers stream (one entry in memory at a time) and yield, in file order, a :class:`RecordedExchange` for each entry
or an :class:`Unparsed` with the reason it could not be read. :func:`is_certificates_traffic` says which exchanges
the judge looks at; :class:`Sanitisation` recognises what recorders replaced. :class:`HarWriter` and
:func:`record_to` write a run's exchanges (redacted) as HAR.
"""

from ._detect import TrafficFormat, detect_format, read_traffic
from ._har import HarWriter, har_entry, read_har, read_har_entries
from ._record import RECORD_PARTS_ENV, Recording, merge_parts, record_to, start_part, stop_part
from ._recorded import Glance, RecordedExchange, Skipped, TrafficItem, Unparsed
from ._recording import read_recording
from ._sanitised import (
    NO_SANITISATION,
    RECORDER_REMOVED_HEADERS,
    SANITISATION,
    SANITISED_HOST_LABELS,
    Sanitisation,
    is_sanitised,
    is_sanitised_host,
    is_sanitised_url,
)
from ._scope import TOKEN_HOSTS, certificates_path, is_certificates_traffic

__all__ = [
    "Glance",
    "HarWriter",
    "NO_SANITISATION",
    "RECORDER_REMOVED_HEADERS",
    "RECORD_PARTS_ENV",
    "RecordedExchange",
    "Recording",
    "SANITISATION",
    "SANITISED_HOST_LABELS",
    "Sanitisation",
    "Skipped",
    "TOKEN_HOSTS",
    "TrafficFormat",
    "TrafficItem",
    "Unparsed",
    "certificates_path",
    "detect_format",
    "har_entry",
    "is_certificates_traffic",
    "is_sanitised",
    "is_sanitised_host",
    "is_sanitised_url",
    "merge_parts",
    "read_har",
    "read_har_entries",
    "read_recording",
    "read_traffic",
    "record_to",
    "start_part",
    "stop_part",
]
