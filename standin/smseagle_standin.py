#!/usr/bin/env python3
"""Stand-in for the HTTP API v2 of an SMSEagle SMS gateway, for tests and demos.

The stand-in serves the send, status and health routes of API v2 under /api/v2 and
/index.php/api/v2, checks the API token and its per-path permissions, and validates
request bodies the way the device does. It never sends an SMS. It stores every
accepted message in memory and shows them under /_standin/. There, tests can also
switch on faults for every send or for the next N sends: per-recipient rejection,
a bodiless 500, a 401 or 403 with the device's body, a delay, a hang or a 301. They can
also report the modems as disabled.

It binds only to loopback addresses. Python 3.11 standard library only, plus the
openssl command when it has to generate a TLS certificate.
"""

from __future__ import annotations

import argparse
import hmac
import html
import ipaddress
import json
import logging
import os
import re
import secrets
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

LOG = logging.getLogger("smseagle_standin")

API_PREFIXES = ("/index.php/api/v2", "/api/v2")
INSPECTION_PREFIX = "/_standin"

PERMISSIONS = ("sms", "sms_single", "status", "modem", "count", "version")
DEFAULT_TOKEN = "demo-token"

FAULT_MODES = ("none", "reject", "error500", "unauthorized", "forbidden", "delay", "hang", "redirect")
# A hung request is released when the client closes the connection, when the
# stand-in stops, or after this many seconds, whichever comes first.
HANG_LIMIT_S = 600.0
MAX_DELAY_MS = 600_000
MAX_FAULT_COUNT = 1_000_000
MAX_BODY_BYTES = 1024 * 1024
TLS_HANDSHAKE_TIMEOUT_S = 30.0

# Field limits of API v2 send requests, from the vendor's OpenAPI document.
ENCODINGS = ("standard", "unicode")
VALIDITIES = ("5m", "10m", "30m", "1h", "2h", "4h", "12h", "1d", "2d", "5d", "1w", "2w", "4w", "max")
PRIORITY_RANGE = (0, 9)
MODEM_RANGE = (1, 8)
OID_MAX_CHARS = 36
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})?")
TIME_OF_DAY_PATTERN = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
QUERY_STRING_PATTERN = re.compile(r"\?[^\s'\"]*")

# Error bodies as real devices send them.
INVALID_API_KEY = {"message": "Invalid API key."}
NO_ACCESS = {"message": "User has no access to this method."}
UNKNOWN_METHOD = {"message": "Unknown method."}
RECIPIENTS_REQUIRED = "One of parameters: to, contacts, groups is required."
NOT_BLANK = "This value should not be blank."
NOT_A_VALID_CHOICE = "The value you selected is not a valid choice."

DEVICE_VERSION = {"current_version": "6.31", "update_available": False}
SIGNAL_STRENGTH_PERCENT = 75


# --------------------------------------------------------------------------- state


@dataclass
class Fault:
    """Fault injected into the send paths.

    mode is one of FAULT_MODES and delay_ms the length of a delay. count is the number of
    send requests the fault still applies to, or None when it applies until the next reset.
    """

    mode: str = "none"
    delay_ms: int = 0
    count: int | None = None

    def to_json(self) -> dict:
        return {"mode": self.mode, "delay_ms": self.delay_ms, "count": self.count}


@dataclass
class StandinState:
    """Received messages, the id counter, the current fault and the modem switch, shared by all handler threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: list[dict] = field(default_factory=list)
    next_id: int = 1
    fault: Fault = field(default_factory=Fault)
    # What GET /modem/status reports for every modem. Sends are still queued when it is False,
    # as a device queues messages in its outbox while its modem is down.
    modem_enabled: bool = True

    def store_messages(self, records: list[dict]) -> list[int]:
        """Assign the next ids to the records, store them, and return the ids in order."""
        with self.lock:
            ids = []
            for record in records:
                record["id"] = self.next_id
                self.next_id += 1
                self.messages.append(record)
                ids.append(record["id"])
            return ids

    def list_messages(self) -> list[dict]:
        with self.lock:
            return [dict(record) for record in self.messages]

    def find_message(self, message_id: int) -> dict | None:
        with self.lock:
            for record in self.messages:
                if record["id"] == message_id:
                    return dict(record)
        return None

    def clear_messages(self) -> int:
        """Delete all stored messages and return how many there were. Ids keep increasing."""
        with self.lock:
            count = len(self.messages)
            self.messages.clear()
            return count

    def count_messages(self) -> int:
        with self.lock:
            return len(self.messages)

    def get_fault(self) -> Fault:
        with self.lock:
            return Fault(self.fault.mode, self.fault.delay_ms, self.fault.count)

    def set_fault(self, fault: Fault) -> None:
        with self.lock:
            self.fault = fault

    def get_modem_enabled(self) -> bool:
        with self.lock:
            return self.modem_enabled

    def set_modem_enabled(self, enabled: bool) -> None:
        with self.lock:
            self.modem_enabled = enabled

    def take_send_fault(self) -> Fault:
        """Return the fault for one send request and use up one of its count.

        When a counted fault reaches 0, the mode goes back to none. Parallel requests take
        their units of the count under the lock, so at most N requests see the fault.
        """
        with self.lock:
            fault = Fault(self.fault.mode, self.fault.delay_ms)
            if self.fault.count is not None:
                self.fault.count -= 1
                if self.fault.count <= 0:
                    self.fault = Fault()
            return fault


# --------------------------------------------------------------------------- validation


class RequestBodyError(Exception):
    """The request body could not be read (bad framing or too large)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def json_type_name(value: object) -> str:
    """Return the PHP type name that the device uses in its type error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def type_error(expected: str, value: object) -> str:
    return f"The type of the attribute must be one of {expected} ({json_type_name(value)} given)."


def is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_integer_range(body: dict, name: str, bounds: tuple[int, int], errors: dict) -> None:
    if name not in body:
        return
    value = body[name]
    low, high = bounds
    if not is_integer(value):
        errors[name] = type_error("integer", value)
    elif not low <= value <= high:
        errors[name] = f"This value should be between {low} and {high}."


def validate_choice(body: dict, name: str, choices: tuple[str, ...], errors: dict) -> None:
    if name in body and body[name] not in choices:
        errors[name] = NOT_A_VALID_CHOICE


def validate_boolean(body: dict, name: str, errors: dict) -> None:
    if name in body and not isinstance(body[name], bool):
        errors[name] = type_error("boolean", body[name])


def validate_pattern(body: dict, name: str, pattern: re.Pattern, message: str, errors: dict) -> None:
    if name not in body:
        return
    value = body[name]
    if not isinstance(value, str):
        errors[name] = type_error("string", value)
    elif not pattern.fullmatch(value):
        errors[name] = message


def validate_common_fields(body: dict, errors: dict) -> None:
    """Validate the fields that both send paths share and add field errors to errors."""
    text = body.get("text")
    if "text" in body and text is not None and not isinstance(text, str):
        errors["text"] = type_error("string", text)
    elif not isinstance(text, str) or not text.strip():
        errors["text"] = NOT_BLANK

    validate_choice(body, "encoding", ENCODINGS, errors)
    validate_integer_range(body, "priority", PRIORITY_RANGE, errors)
    validate_choice(body, "validity", VALIDITIES, errors)
    validate_integer_range(body, "modem_no", MODEM_RANGE, errors)
    validate_boolean(body, "flash", errors)
    validate_boolean(body, "test", errors)

    if "oid" in body:
        oid = body["oid"]
        if not isinstance(oid, str):
            errors["oid"] = type_error("string", oid)
        elif len(oid) > OID_MAX_CHARS:
            errors["oid"] = f"This value is too long. It should have {OID_MAX_CHARS} characters or less."

    validate_pattern(body, "date", DATE_PATTERN, "This value is not a valid datetime.", errors)
    validate_pattern(body, "send_after", TIME_OF_DAY_PATTERN, "This value is not a valid time.", errors)
    validate_pattern(body, "send_before", TIME_OF_DAY_PATTERN, "This value is not a valid time.", errors)


def is_absent(value: object) -> bool:
    return value is None or value == [] or value == ""


def validate_phonebook_fields(body: dict, names: tuple[str, str], expected: str, errors: dict) -> bool:
    """Type-check the phonebook recipient fields and return whether any of them is set.

    NOTE: the stand-in has no phonebook, so a request that names contacts or groups
    gets a field error instead of being expanded to numbers.
    """
    present = False
    for name in names:
        value = body.get(name)
        if is_absent(value):
            continue
        present = True
        if expected == "array" and not (isinstance(value, list) and all(is_integer(item) for item in value)):
            errors[name] = type_error("array", value)
        elif expected == "integer" and not is_integer(value):
            errors[name] = type_error("integer", value)
        else:
            errors[name] = "The stand-in has no phonebook; send to phone numbers with 'to'."
    return present


def validate_sms_body(body: dict) -> tuple[list[str], dict]:
    """Validate a POST /messages/sms body and return (numbers, field errors)."""
    errors: dict = {}
    numbers: list[str] = []
    to = body.get("to")
    to_missing = to is None or to == []

    if not to_missing:
        if not isinstance(to, list):
            errors["to"] = type_error("array", to)
        elif not all(isinstance(number, str) for number in to):
            bad = next(number for number in to if not isinstance(number, str))
            errors["to"] = type_error("string", bad)
        elif not all(number.strip() for number in to):
            errors["to"] = NOT_BLANK
        else:
            numbers = list(to)

    has_phonebook = validate_phonebook_fields(body, ("contacts", "groups"), "array", errors)
    if to_missing and not has_phonebook:
        errors["recipients"] = RECIPIENTS_REQUIRED

    validate_common_fields(body, errors)
    return numbers, errors


def validate_sms_single_body(body: dict) -> tuple[list[str], dict]:
    """Validate a POST /messages/sms_single body and return (numbers, field errors)."""
    errors: dict = {}
    numbers: list[str] = []
    to = body.get("to")
    to_missing = to is None or to == []

    if not to_missing:
        if not isinstance(to, str):
            errors["to"] = type_error("string", to)
        elif not to.strip():
            errors["to"] = NOT_BLANK
        else:
            numbers = [to]

    has_phonebook = validate_phonebook_fields(body, ("contact", "group"), "integer", errors)
    if to_missing and not has_phonebook:
        # NOTE: this wording was captured from /messages/sms. The device's text for
        # /messages/sms_single is not confirmed and may name contact and group instead.
        errors["recipients"] = RECIPIENTS_REQUIRED

    validate_common_fields(body, errors)
    return numbers, errors


def validate_fault_body(body: object) -> tuple[Fault | None, dict]:
    """Validate a POST /_standin/faults body and return (fault, field errors)."""
    errors: dict = {}
    if not isinstance(body, dict):
        return None, {"body": "Expected a JSON object such as {\"mode\": \"delay\", \"delay_ms\": 2000}."}

    mode = body.get("mode")
    if mode not in FAULT_MODES:
        errors["mode"] = f"Invalid mode {mode!r}; expected one of: {', '.join(FAULT_MODES)}."

    delay_ms = body.get("delay_ms", 0)
    if not is_integer(delay_ms) or not 0 <= delay_ms <= MAX_DELAY_MS:
        errors["delay_ms"] = f"Invalid delay_ms {delay_ms!r}; expected an integer from 0 to {MAX_DELAY_MS}."

    count = body.get("count")
    if count is not None and (not is_integer(count) or not 1 <= count <= MAX_FAULT_COUNT):
        errors["count"] = (f"Invalid count {count!r}; expected an integer from 1 to {MAX_FAULT_COUNT}, "
                           "or null for a fault that lasts until the next reset.")

    if errors:
        return None, errors
    if mode == "none":
        # A count on none would change nothing and then expire into none again.
        count = None
    return Fault(mode, delay_ms, count), {}


# --------------------------------------------------------------------------- HTTP handler


@dataclass(frozen=True)
class ApiRoute:
    method: str
    pattern: re.Pattern
    permission: str
    handler_name: str


API_ROUTES = (
    ApiRoute("POST", re.compile(r"/messages/sms"), "sms", "handle_send_sms"),
    ApiRoute("POST", re.compile(r"/messages/sms_single"), "sms_single", "handle_send_sms_single"),
    ApiRoute("GET", re.compile(r"/messages/status/(?P<id>\d+)"), "status", "handle_message_status"),
    ApiRoute("GET", re.compile(r"/modem/status/(?P<modem>\d+)"), "modem", "handle_modem_status"),
    ApiRoute("GET", re.compile(r"/modem/signal/(?P<modem>\d+)"), "modem", "handle_modem_signal"),
    ApiRoute("GET", re.compile(r"/messages/count"), "count", "handle_message_count"),
    ApiRoute("GET", re.compile(r"/device/version"), "version", "handle_device_version"),
)
SEND_PERMISSIONS = ("sms", "sms_single")


def strip_api_prefix(path: str) -> str | None:
    """Return the route part of an API path, or None when the path is outside the API."""
    for prefix in API_PREFIXES:
        if path == prefix:
            return ""
        if path.startswith(prefix + "/"):
            return path[len(prefix):].rstrip("/") or "/"
    return None


def utc_timestamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StandinHandler(BaseHTTPRequestHandler):
    """Handler for one connection: the device API, the inspection endpoints and the faults."""

    protocol_version = "HTTP/1.1"
    server_version = "SMSEagle-standin/1.0"
    server: "StandinServer"
    # The fault taken for the send request being handled; set by handle_api.
    send_fault: Fault

    # ------------------------------------------------------------ connection and logging

    def setup(self) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a client that
        # stalls during the handshake cannot block the accept loop.
        context = self.server.tls_context
        if context is not None:
            self.request.settimeout(TLS_HANDSHAKE_TIMEOUT_S)
            self.request = context.wrap_socket(self.request, server_side=True)
            self.request.settimeout(None)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            # The server closes the plain socket it accepted. After wrap_socket that
            # socket is detached, so the TLS socket has to be closed here.
            if self.server.tls_context is not None:
                self.request.close()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Only method, path and status: the query string may contain the access token.
        # A malformed request line is rejected before command and path are set.
        path = urlsplit(getattr(self, "path", "")).path or "-"
        LOG.info("%s %s %s", self.command or "-", path, code)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (base class name)
        # The base class passes the raw request line here for malformed requests, and its
        # query string may contain the access token.
        text = QUERY_STRING_PATTERN.sub("?<query removed>", format % args)
        LOG.warning("%s: %s", self.address_string(), text)

    # ------------------------------------------------------------ responses

    def send_json(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_empty(self, status: int, extra_headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        for name, value in extra_headers:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_html(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    # ------------------------------------------------------------ request parsing

    def read_body(self) -> bytes:
        """Read the request body, either Content-Length framed or chunked."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked_body()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            raise RequestBodyError(400, f"Invalid Content-Length {length_header!r}.") from None
        if length < 0:
            raise RequestBodyError(400, f"Invalid Content-Length {length_header!r}.")
        if length > MAX_BODY_BYTES:
            raise RequestBodyError(413, f"Request body exceeds {MAX_BODY_BYTES} bytes.")
        return self.rfile.read(length)

    def read_chunked_body(self) -> bytes:
        chunks = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise RequestBodyError(400, "Invalid chunk size in chunked request body.") from None
            if size == 0:
                # Skip trailer lines up to the blank line that ends the body.
                while self.rfile.readline(1024).strip():
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise RequestBodyError(413, f"Request body exceeds {MAX_BODY_BYTES} bytes.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def find_token(self, query: dict, body: object) -> tuple[str | None, str | None]:
        """Return (token, location). The header wins over the query, the query over the body."""
        header_token = self.headers.get("access-token")
        if header_token is not None:
            return header_token, "header"
        if "access_token" in query:
            return query["access_token"][0], "query"
        if isinstance(body, dict) and "access_token" in body:
            body_token = body["access_token"]
            return (body_token if isinstance(body_token, str) else ""), "body"
        return None, None

    # ------------------------------------------------------------ dispatch

    def do_GET(self) -> None:
        self.dispatch()

    def do_POST(self) -> None:
        self.dispatch()

    def do_PUT(self) -> None:
        self.dispatch()

    def do_PATCH(self) -> None:
        self.dispatch()

    def do_DELETE(self) -> None:
        self.dispatch()

    def dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            raw_body = self.read_body()
        except RequestBodyError as error:
            self.close_connection = True
            self.send_json(error.status, {"message": {"body": str(error)}})
            return

        if url.path == INSPECTION_PREFIX or url.path.startswith(INSPECTION_PREFIX + "/"):
            self.handle_inspection(url.path, raw_body)
            return

        route_path = strip_api_prefix(url.path)
        if route_path is None:
            self.send_empty(404)
            return
        self.handle_api(route_path, parse_qs(url.query, keep_blank_values=True), raw_body)

    def handle_api(self, route_path: str, query: dict, raw_body: bytes) -> None:
        route, match = None, None
        for candidate in API_ROUTES:
            match = candidate.pattern.fullmatch(route_path)
            if match and candidate.method == self.command:
                route = candidate
                break
        if route is None:
            self.send_json(405, UNKNOWN_METHOD)
            return

        is_send = route.permission in SEND_PERMISSIONS
        # Each send request takes the fault once, so a counted fault is used up by the
        # request whatever its outcome, including a 400 for an invalid body.
        self.send_fault = self.server.state.take_send_fault() if is_send else Fault()
        if is_send and self.apply_transport_fault(self.send_fault):
            return

        body: object = None
        body_is_valid_json = True
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body_is_valid_json = False

        token, location = self.find_token(query, body)
        permissions = self.server.find_permissions(token)
        if permissions is None:
            self.send_json(401, INVALID_API_KEY)
            return
        if route.permission not in permissions:
            self.send_json(403, NO_ACCESS)
            return

        handler = getattr(self, route.handler_name)
        if is_send:
            if not body_is_valid_json or not isinstance(body, dict):
                # NOTE: the device's wording for a body that is not a JSON object is unknown.
                # Only the shape, a 400 with a message object, follows the device.
                self.send_json(400, {"message": {"body": "The request body must be a JSON object."}})
                return
            handler(body, location)
        else:
            handler(match)

    # ------------------------------------------------------------ faults

    def apply_transport_fault(self, fault: Fault) -> bool:
        """Apply a fault that acts before authentication. Return True when it has sent the response."""
        if fault.mode == "error500":
            self.send_empty(500)
            return True

        # The same status and body as a device that rejects the token or lacks the permission.
        if fault.mode == "unauthorized":
            self.send_json(401, INVALID_API_KEY)
            return True

        if fault.mode == "forbidden":
            self.send_json(403, NO_ACCESS)
            return True

        if fault.mode == "redirect":
            target = (self.server.https_base_url or self.server.base_url) + self.path
            self.close_connection = True
            self.send_empty(301, (("Location", target),))
            return True

        if fault.mode == "hang":
            self.hang_until_client_leaves()
            return True

        if fault.mode == "delay":
            # Waits on the stop event, so a stopping stand-in does not wait for the delay.
            self.server.stop_event.wait(fault.delay_ms / 1000)
        return False

    def hang_until_client_leaves(self) -> None:
        """Hold the request without a response until the client disconnects, the server stops or HANG_LIMIT_S passes."""
        self.close_connection = True
        connection = self.connection
        deadline = time.monotonic() + HANG_LIMIT_S
        while not self.server.stop_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            readable, _, _ = select.select([connection], [], [], min(0.5, remaining))
            if not readable:
                continue
            try:
                data = connection.recv(4096)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except OSError:
                break
            if not data:
                break
        LOG.info("%s %s hang: closed without a response", self.command, urlsplit(self.path).path)

    # ------------------------------------------------------------ send paths

    def handle_send_sms(self, body: dict, token_location: str) -> None:
        numbers, errors = validate_sms_body(body)
        self.finish_send(body, numbers, errors, token_location)

    def handle_send_sms_single(self, body: dict, token_location: str) -> None:
        numbers, errors = validate_sms_single_body(body)
        self.finish_send(body, numbers, errors, token_location)

    def finish_send(self, body: dict, numbers: list[str], errors: dict, token_location: str) -> None:
        if errors:
            self.send_json(400, {"message": errors})
            return

        if self.send_fault.mode == "reject":
            rejected = [
                {"status": "REJECTED", "message": "Rejected by the stand-in (fault mode reject).", "number": number}
                for number in numbers
            ]
            self.send_json(200, rejected)
            return

        if body.get("test") is True:
            self.send_json(200, [{"status": "queued", "message": "OK", "number": number, "id": 0} for number in numbers])
            return

        received_at = utc_timestamp()
        records = [
            {
                "id": None,
                "to": number,
                "text": body["text"],
                "encoding": body.get("encoding", "standard"),
                "priority": body.get("priority", 0),
                "validity": body.get("validity", "max"),
                "modem_no": body.get("modem_no"),
                "flash": body.get("flash", False),
                "oid": body.get("oid"),
                "path": urlsplit(self.path).path,
                "token_location": token_location,
                "received_at": received_at,
            }
            for number in numbers
        ]
        ids = self.server.state.store_messages(records)
        self.send_json(
            200,
            [{"status": "queued", "message": "OK", "number": number, "id": message_id} for number, message_id in zip(numbers, ids)],
        )

    # ------------------------------------------------------------ read and health paths

    def handle_message_status(self, match: re.Match) -> None:
        record = self.server.state.find_message(int(match["id"]))
        if record is None:
            self.send_empty(404)
            return
        # The stand-in sends nothing, so it reports each stored message as sent at once.
        self.send_json(200, {"status": "SendingOK", "id": record["id"], "folder": "sentitems"})

    def parse_modem_number(self, match: re.Match) -> int | None:
        modem_no = int(match["modem"])
        low, high = MODEM_RANGE
        if not low <= modem_no <= high:
            self.send_json(400, {"message": {"modem_no": f"This value should be between {low} and {high}."}})
            return None
        return modem_no

    def handle_modem_status(self, match: re.Match) -> None:
        modem_no = self.parse_modem_number(match)
        if modem_no is not None:
            self.send_json(200, {"modem_no": modem_no, "modem_enabled": self.server.state.get_modem_enabled()})

    def handle_modem_signal(self, match: re.Match) -> None:
        modem_no = self.parse_modem_number(match)
        if modem_no is not None:
            strength = SIGNAL_STRENGTH_PERCENT if self.server.state.get_modem_enabled() else 0
            self.send_json(200, {"modem_no": modem_no, "signal_strength": strength})

    def handle_message_count(self, match: re.Match) -> None:
        sent = self.server.state.count_messages()
        self.send_json(200, {"inbox": 0, "outbox": 0, "sent": sent, "error": 0, "delivered": 0})

    def handle_device_version(self, match: re.Match) -> None:
        self.send_json(200, DEVICE_VERSION)

    # ------------------------------------------------------------ inspection endpoints

    def handle_inspection(self, path: str, raw_body: bytes) -> None:
        route = path[len(INSPECTION_PREFIX):].rstrip("/")
        state = self.server.state

        if route == "":
            if self.command == "GET":
                self.send_html(200, render_messages_page(state.list_messages()))
            else:
                self.send_json(405, {"message": "Use GET."})
            return

        if route == "/messages":
            if self.command == "GET":
                self.send_json(200, state.list_messages())
            elif self.command == "DELETE":
                self.send_json(200, {"deleted": state.clear_messages()})
            else:
                self.send_json(405, {"message": "Use GET or DELETE."})
            return

        if route == "/faults":
            if self.command == "GET":
                self.send_json(200, state.get_fault().to_json())
            elif self.command == "POST":
                self.handle_set_fault(raw_body)
            else:
                self.send_json(405, {"message": "Use GET or POST."})
            return

        if route == "/modem":
            if self.command == "GET":
                self.send_json(200, {"enabled": state.get_modem_enabled()})
            elif self.command == "POST":
                self.handle_set_modem(raw_body)
            else:
                self.send_json(405, {"message": "Use GET or POST."})
            return

        self.send_json(404, {"message": f"Not found; the inspection endpoints are {INSPECTION_PREFIX}/, /messages, /faults and /modem."})

    def handle_set_fault(self, raw_body: bytes) -> None:
        try:
            body = json.loads(raw_body)
        except ValueError:
            body = None
        fault, errors = validate_fault_body(body)
        if fault is None:
            self.send_json(400, {"message": errors})
            return
        self.server.state.set_fault(fault)
        LOG.info("fault set to %s (delay_ms %d, count %s)", fault.mode, fault.delay_ms,
                 "until reset" if fault.count is None else fault.count)
        self.send_json(200, fault.to_json())


    def handle_set_modem(self, raw_body: bytes) -> None:
        try:
            body = json.loads(raw_body)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("enabled"), bool):
            self.send_json(400, {"message": {"enabled": "Expected a JSON object such as {\"enabled\": false}."}})
            return
        self.server.state.set_modem_enabled(body["enabled"])
        LOG.info("modems set to %s", "enabled" if body["enabled"] else "disabled")
        self.send_json(200, {"enabled": body["enabled"]})


def render_messages_page(messages: list[dict]) -> str:
    """Render the received messages as an HTML page, newest first, with all values escaped."""
    rows = []
    for record in reversed(messages):
        rows.append(
            "<tr><td>{id}</td><td>{time}</td><td>{number}</td><td class=\"text\">{text}</td></tr>".format(
                id=record["id"],
                time=html.escape(record["received_at"]),
                number=html.escape(record["to"]),
                text=html.escape(record["text"]),
            )
        )
    table = "\n".join(rows) if rows else '<tr><td colspan="4">No SMS received yet.</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="3">
<title>SMSEagle stand-in: received SMS</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #999; padding: 0.3em 0.6em; text-align: left; }}
td.text {{ white-space: pre-wrap; font-family: monospace; }}
</style>
</head>
<body>
<h1>Received SMS, newest first</h1>
<p>This page reloads every 3 seconds. The stand-in sends no real SMS.</p>
<table>
<tr><th>id</th><th>received (UTC)</th><th>number</th><th>text</th></tr>
{table}
</table>
</body>
</html>
"""


# --------------------------------------------------------------------------- server


class StandinServer(ThreadingHTTPServer):
    """One listener (HTTP or HTTPS). Each connection runs in its own daemon thread."""

    daemon_threads = True
    # Hung requests may still be running at shutdown, so closing must not join their threads.
    block_on_close = False

    def __init__(
        self,
        host: str,
        port: int,
        *,
        state: StandinState,
        tokens: dict[str, frozenset[str]],
        stop_event: threading.Event,
        tls_context: ssl.SSLContext | None,
    ):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), StandinHandler)
        self.state = state
        self.tokens = tokens
        self.stop_event = stop_event
        self.tls_context = tls_context
        scheme = "https" if tls_context is not None else "http"
        url_host = f"[{host}]" if ":" in host else host
        self.base_url = f"{scheme}://{url_host}:{self.server_address[1]}"
        self.https_base_url: str | None = None

    def find_permissions(self, token: str | None) -> frozenset[str] | None:
        """Return the permissions of a known token, or None for a missing or unknown token."""
        if token is None:
            return None
        found = None
        candidate = token.encode("utf-8", "surrogateescape")
        # Compare against every token so the time taken does not depend on which one matched.
        for known, permissions in self.tokens.items():
            if hmac.compare_digest(candidate, known.encode("utf-8")):
                found = permissions
        return found

    def handle_error(self, request: object, client_address: tuple) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ssl.SSLError, ConnectionError, TimeoutError)):
            LOG.warning("connection from %s failed: %s", client_address[0], error)
        else:
            LOG.exception("unexpected error while serving %s", client_address[0])


# --------------------------------------------------------------------------- certificates


OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
prompt = no

[dn]
CN = SMSEagle stand-in

[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""
CERT_VALIDITY_DAYS = "365"


@dataclass(frozen=True)
class CertificateFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def run_openssl(arguments: list[str]) -> None:
    try:
        subprocess.run(["openssl", *arguments], check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise SystemExit("error: the openssl command was not found; install it or pass --tls-cert and --tls-key") from None
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"error: openssl {arguments[0]} failed: {error.stderr.strip()}") from None


def generate_certificates(cert_dir: Path) -> CertificateFiles:
    """Create a CA and a server certificate for 127.0.0.1, ::1 and localhost in cert_dir.

    Files that already exist from an earlier run are reused, so a client configured
    with ca.pem keeps working across restarts. Delete the directory to get new ones.
    """
    files = CertificateFiles(cert_dir / "ca.pem", cert_dir / "server.pem", cert_dir / "server.key")
    if files.ca_cert.is_file() and files.server_cert.is_file() and files.server_key.is_file():
        LOG.info("reusing the certificates in %s", cert_dir)
        return files

    cert_dir.mkdir(parents=True, exist_ok=True)
    config = cert_dir / "openssl.cnf"
    config.write_text(OPENSSL_CONFIG)
    ca_key = cert_dir / "ca.key"
    server_csr = cert_dir / "server.csr"
    key_options = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    # Private keys are readable by the owner only.
    previous_umask = os.umask(0o077)
    try:
        run_openssl(
            ["req", "-x509", "-new", "-config", str(config), "-extensions", "ca_ext", *key_options,
             "-keyout", str(ca_key), "-out", str(files.ca_cert), "-days", CERT_VALIDITY_DAYS,
             "-subj", "/CN=SMSEagle stand-in test CA"]
        )
        run_openssl(
            ["req", "-new", "-config", str(config), *key_options,
             "-keyout", str(files.server_key), "-out", str(server_csr), "-subj", "/CN=localhost"]
        )
        run_openssl(
            ["x509", "-req", "-in", str(server_csr), "-CA", str(files.ca_cert), "-CAkey", str(ca_key),
             "-set_serial", str(secrets.randbits(63)), "-days", CERT_VALIDITY_DAYS,
             "-extfile", str(config), "-extensions", "server_ext", "-out", str(files.server_cert)]
        )
    finally:
        os.umask(previous_umask)
    server_csr.unlink(missing_ok=True)
    # Certificates are public, and a client running as another user must read ca.pem.
    files.ca_cert.chmod(0o644)
    files.server_cert.chmod(0o644)
    LOG.info("generated a CA and a server certificate in %s", cert_dir)
    return files


def make_tls_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert_file), str(key_file))
    except (OSError, ssl.SSLError) as error:
        raise SystemExit(f"error: cannot load the TLS certificate {cert_file} or key {key_file}: {error}") from None
    return context


# --------------------------------------------------------------------------- command line


def parse_token_option(value: str) -> tuple[str, frozenset[str]]:
    """Parse TOKEN[:PERMS]. The token ends at the first colon."""
    token, separator, permission_list = value.partition(":")
    if not token:
        raise argparse.ArgumentTypeError("the token before ':' must not be empty")
    if not separator:
        return token, frozenset(PERMISSIONS)
    permissions = [name.strip() for name in permission_list.split(",") if name.strip()]
    unknown = [name for name in permissions if name not in PERMISSIONS]
    if not permissions or unknown:
        raise argparse.ArgumentTypeError(
            f"invalid permission list {permission_list!r}; use a comma list of {', '.join(PERMISSIONS)}"
        )
    return token, frozenset(permissions)


def parse_port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}; expected 0 to 65535")
    return port


def build_argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Stand-in for the SMSEagle HTTP API v2. It stores messages in memory and never sends an SMS.",
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="loopback address to bind (default 127.0.0.1); other addresses are rejected")
    parser.add_argument("--http-port", type=parse_port,
                        help="port of the HTTP listener, 0 for a free port (default: a free port when --https-port is not given either)")
    parser.add_argument("--https-port", type=parse_port, help="port of the HTTPS listener, 0 for a free port")
    parser.add_argument("--tls-cert", type=Path, help="PEM server certificate for HTTPS (with --tls-key)")
    parser.add_argument("--tls-key", type=Path, help="PEM private key for --tls-cert")
    parser.add_argument("--cert-dir", type=Path,
                        help="directory for generated certificates, reused when they exist (default: a new temporary directory, removed at exit)")
    parser.add_argument("--token", action="append", type=parse_token_option, metavar="TOKEN[:PERMS]",
                        help=f"accepted API token, repeatable; PERMS is a comma list of {','.join(PERMISSIONS)} "
                             f"(default: all); without --token the token is {DEFAULT_TOKEN}")
    return parser


def resolve_loopback_host(parser: argparse.ArgumentParser, host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        parser.error(f"--host {host!r} is not an IP address; use a loopback address such as 127.0.0.1 or ::1")
    if not address.is_loopback:
        parser.error(f"--host {host} is not a loopback address; the stand-in binds only to 127.0.0.0/8 or ::1")
    return str(address)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = build_argument_parser()
    args = parser.parse_args(argv)
    args.host = resolve_loopback_host(parser, args.host)

    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key must be given together")
    if args.tls_cert is not None and args.https_port is None:
        parser.error("--tls-cert needs --https-port")
    if args.http_port is None and args.https_port is None:
        args.http_port = 0

    tokens: dict[str, frozenset[str]] = {}
    for token, permissions in args.token or [(DEFAULT_TOKEN, frozenset(PERMISSIONS))]:
        if token in tokens:
            parser.error("the same token is given twice in --token")
        tokens[token] = permissions
    args.tokens = tokens
    return args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = parse_arguments(argv)

    stop_event = threading.Event()
    state = StandinState()
    temporary_cert_dir: Path | None = None
    servers: list[StandinServer] = []

    tls_context = None
    ca_cert: Path | None = None
    if args.https_port is not None:
        if args.tls_cert is not None:
            tls_context = make_tls_context(args.tls_cert, args.tls_key)
        else:
            cert_dir = args.cert_dir
            if cert_dir is None:
                temporary_cert_dir = Path(tempfile.mkdtemp(prefix="smseagle-standin-"))
                cert_dir = temporary_cert_dir
            files = generate_certificates(cert_dir.resolve())
            tls_context = make_tls_context(files.server_cert, files.server_key)
            ca_cert = files.ca_cert

    try:
        try:
            if args.http_port is not None:
                servers.append(StandinServer(args.host, args.http_port, state=state, tokens=args.tokens,
                                             stop_event=stop_event, tls_context=None))
            if args.https_port is not None:
                servers.append(StandinServer(args.host, args.https_port, state=state, tokens=args.tokens,
                                             stop_event=stop_event, tls_context=tls_context))
        except OSError as error:
            raise SystemExit(f"error: cannot listen on {args.host}: {error}") from None

        https_base_url = next((s.base_url for s in servers if s.tls_context is not None), None)
        for server in servers:
            server.https_base_url = https_base_url

        run_until_signal(servers, stop_event, ca_cert)
    finally:
        stop_event.set()
        for server in servers:
            server.server_close()
        if temporary_cert_dir is not None:
            shutil.rmtree(temporary_cert_dir, ignore_errors=True)
    LOG.info("stopped")
    return 0


def run_until_signal(servers: list[StandinServer], stop_event: threading.Event, ca_cert: Path | None) -> None:
    """Serve every listener in its own thread until SIGTERM or SIGINT arrives."""
    stop_requested = threading.Event()

    def request_stop(signal_number: int, frame: object) -> None:
        LOG.info("received %s, stopping", signal.Signals(signal_number).name)
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    threads = [threading.Thread(target=server.serve_forever, name=f"listener-{server.base_url}", daemon=True)
               for server in servers]
    for thread in threads:
        thread.start()

    if ca_cert is not None:
        print(f"CA {ca_cert}")
    for server in servers:
        print(f"READY {server.base_url}")
        LOG.info("listening on %s", server.base_url)
    sys.stdout.flush()

    # A timed wait keeps the main thread able to run the signal handler promptly.
    while not stop_requested.wait(0.5):
        pass

    stop_event.set()
    for server in servers:
        server.shutdown()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    sys.exit(main())
