"""Tests of the SMSEagle API v2 stand-in, run against the real script in a subprocess."""

from __future__ import annotations

import json
import queue
import signal
import socket
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

STANDIN_SCRIPT = Path(__file__).resolve().parent.parent / "smseagle_standin.py"
# Maximum wait for the READY lines. It only guards against a stand-in that never starts,
# because certificate generation and binding take well under a second.
STARTUP_LIMIT_S = 60

TOKEN = "demo-token"
TOKEN_WITHOUT_SMS_SINGLE = "no-single-token"
TOKEN_SEND_ONLY = "send-only-token"
NUMBER = "+48500100200"
OTHER_NUMBER = "+48500100201"
API_PREFIXES = ("/api/v2", "/index.php/api/v2")


@dataclass
class Standin:
    process: subprocess.Popen
    urls: dict[str, str]
    ca_file: Path | None
    stderr_file: Path

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        return self.process.returncode

    def stderr_text(self) -> str:
        return self.stderr_file.read_text()


def start_standin(work_dir: Path, *arguments: str) -> Standin:
    """Start the stand-in and wait for a READY line per listener."""
    work_dir.mkdir(parents=True, exist_ok=True)
    stderr_file = work_dir / "stderr.log"
    with stderr_file.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(STANDIN_SCRIPT), *arguments],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    expected_listeners = sum(1 for argument in arguments if argument in ("--http-port", "--https-port"))

    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()

    standin = Standin(process, {}, None, stderr_file)
    while len(standin.urls) < expected_listeners:
        try:
            line = lines.get(timeout=STARTUP_LIMIT_S).strip()
        except queue.Empty:
            standin.stop()
            pytest.fail(f"stand-in printed no READY line; stderr:\n{stderr_file.read_text()}")
        if line.startswith("CA "):
            standin.ca_file = Path(line[3:])
        elif line.startswith("READY "):
            url = line[6:]
            standin.urls[url.split(":", 1)[0]] = url
    return standin


@dataclass
class Response:
    status: int
    headers: dict
    raw: bytes

    def json(self) -> object:
        return json.loads(self.raw)


class NoRedirectHandler(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(
    url: str,
    method: str = "GET",
    body: object = None,
    *,
    raw_body: bytes | None = None,
    headers: dict | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 30,
) -> Response:
    """Send one request without following redirects and return the response, errors included."""
    data = raw_body
    if data is None and body is not None:
        data = json.dumps(body).encode()
    request_headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, method=method, headers=request_headers)
    opener = urllib.request.build_opener(NoRedirectHandler, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(request, timeout=timeout) as response:
            return Response(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, dict(error.headers), error.read())


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("standin")
    process = start_standin(
        work_dir,
        "--http-port", "0",
        "--https-port", "0",
        "--cert-dir", str(work_dir / "certs"),
        "--token", TOKEN,
        "--token", f"{TOKEN_WITHOUT_SMS_SINGLE}:sms,status,modem,count,version",
        "--token", f"{TOKEN_SEND_ONLY}:sms,sms_single",
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def tls_context(standin):
    return ssl.create_default_context(cafile=str(standin.ca_file))


@pytest.fixture(autouse=True)
def reset_standin(standin):
    base = standin.urls["http"]
    assert call(f"{base}/_standin/faults", "POST", {"mode": "none"}).status == 200
    assert call(f"{base}/_standin/messages", "DELETE").status == 200
    assert call(f"{base}/_standin/modem", "POST", {"enabled": True}).status == 200


@pytest.fixture
def http(standin):
    return standin.urls["http"]


def send(base: str, path: str = "/api/v2/messages/sms", body: dict | None = None, token: str = TOKEN, **kwargs) -> Response:
    if body is None:
        body = {"to": [NUMBER], "text": "Your code is 123456"}
    return call(f"{base}{path}", "POST", body, headers={"access-token": token}, **kwargs)


def stored_messages(base: str) -> list[dict]:
    return call(f"{base}/_standin/messages").json()


# ------------------------------------------------------------------ send paths


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("prefix", API_PREFIXES)
def test_sms_path_queues_message(standin, tls_context, scheme, prefix):
    base = standin.urls[scheme]
    response = send(base, f"{prefix}/messages/sms", {"to": [NUMBER], "text": "Code 111111"}, context=tls_context)

    assert response.status == 200
    items = response.json()
    assert len(items) == 1
    assert items[0]["status"] == "queued"
    assert items[0]["message"] == "OK"
    assert items[0]["number"] == NUMBER
    assert isinstance(items[0]["id"], int) and items[0]["id"] > 0

    messages = stored_messages(standin.urls["http"])
    assert [message["id"] for message in messages] == [items[0]["id"]]
    assert messages[0]["to"] == NUMBER
    assert messages[0]["text"] == "Code 111111"
    assert messages[0]["path"] == f"{prefix}/messages/sms"


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("prefix", API_PREFIXES)
def test_sms_single_path_queues_message(standin, tls_context, scheme, prefix):
    base = standin.urls[scheme]
    response = send(base, f"{prefix}/messages/sms_single", {"to": NUMBER, "text": "Code 222222"}, context=tls_context)

    assert response.status == 200
    items = response.json()
    assert len(items) == 1
    assert items[0]["status"] == "queued"
    assert items[0]["number"] == NUMBER

    messages = stored_messages(standin.urls["http"])
    assert len(messages) == 1
    assert messages[0]["id"] == items[0]["id"]
    assert messages[0]["path"] == f"{prefix}/messages/sms_single"


def test_stored_message_has_all_fields(http):
    body = {"to": [NUMBER], "text": "Kod 333333", "encoding": "unicode", "priority": 9, "validity": "5m", "modem_no": 2}
    assert send(http, body=body).status == 200

    message = stored_messages(http)[0]
    assert set(message) >= {"id", "to", "text", "encoding", "priority", "validity", "modem_no", "path", "token_location", "received_at"}
    assert message["encoding"] == "unicode"
    assert message["priority"] == 9
    assert message["validity"] == "5m"
    assert message["modem_no"] == 2
    assert message["token_location"] == "header"
    assert message["received_at"].endswith("Z")


def test_unset_fields_get_device_defaults(http):
    assert send(http).status == 200

    message = stored_messages(http)[0]
    assert message["encoding"] == "standard"
    assert message["priority"] == 0
    assert message["validity"] == "max"
    assert message["modem_no"] is None


# ------------------------------------------------------------------ tokens


@pytest.mark.parametrize("location", ["header", "query", "body"])
def test_token_location_is_recorded(http, location):
    body = {"to": [NUMBER], "text": "Code 444444"}
    url = f"{http}/api/v2/messages/sms"
    headers = {}
    if location == "header":
        headers["access-token"] = TOKEN
    elif location == "query":
        url += f"?access_token={TOKEN}"
    else:
        body["access_token"] = TOKEN

    response = call(url, "POST", body, headers=headers)

    assert response.status == 200
    assert stored_messages(http)[0]["token_location"] == location


def test_token_in_query_works_for_get(http):
    response = call(f"{http}/api/v2/device/version?access_token={TOKEN}")
    assert response.status == 200
    assert response.json()["current_version"] == "6.31"


def test_missing_token_gets_401(http):
    response = call(f"{http}/api/v2/messages/sms", "POST", {"to": [NUMBER], "text": "x"})
    assert response.status == 401
    assert response.json() == {"message": "Invalid API key."}
    assert stored_messages(http) == []


@pytest.mark.parametrize("location", ["header", "query", "body"])
def test_wrong_token_gets_401(http, location):
    body = {"to": [NUMBER], "text": "x"}
    url = f"{http}/api/v2/messages/sms"
    headers = {}
    if location == "header":
        headers["access-token"] = "wrong-token"
    elif location == "query":
        url += "?access_token=wrong-token"
    else:
        body["access_token"] = "wrong-token"

    response = call(url, "POST", body, headers=headers)

    assert response.status == 401
    assert response.json() == {"message": "Invalid API key."}


def test_token_without_sms_single_gets_403(http):
    response = send(http, "/api/v2/messages/sms_single", {"to": NUMBER, "text": "x"}, token=TOKEN_WITHOUT_SMS_SINGLE)
    assert response.status == 403
    assert response.json() == {"message": "User has no access to this method."}
    assert stored_messages(http) == []


def test_token_without_sms_single_can_use_sms(http):
    response = send(http, token=TOKEN_WITHOUT_SMS_SINGLE)
    assert response.status == 200


@pytest.mark.parametrize("path", ["/device/version", "/messages/count", "/modem/status/1", "/modem/signal/1", "/messages/status/1"])
def test_send_only_token_gets_403_on_probes(http, path):
    response = call(f"{http}/api/v2{path}", headers={"access-token": TOKEN_SEND_ONLY})
    assert response.status == 403
    assert response.json() == {"message": "User has no access to this method."}


# ------------------------------------------------------------------ validation


def test_string_to_on_sms_gets_400(http):
    response = send(http, body={"to": NUMBER, "text": "x"})
    assert response.status == 400
    assert response.json() == {"message": {"to": "The type of the attribute must be one of array (string given)."}}
    assert stored_messages(http) == []


def test_array_to_on_sms_single_gets_400(http):
    response = send(http, "/api/v2/messages/sms_single", {"to": [NUMBER], "text": "x"})
    assert response.status == 400
    assert response.json()["message"]["to"] == "The type of the attribute must be one of string (array given)."


@pytest.mark.parametrize("path", ["/api/v2/messages/sms", "/api/v2/messages/sms_single"])
@pytest.mark.parametrize("to", [None, []])
def test_missing_recipients_gets_400(http, path, to):
    body = {"text": "x"}
    if to is not None:
        body["to"] = to
    response = send(http, path, body)
    assert response.status == 400
    assert response.json() == {"message": {"recipients": "One of parameters: to, contacts, groups is required."}}


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("text", None, "This value should not be blank."),
        ("text", "   ", "This value should not be blank."),
        ("text", 12, "The type of the attribute must be one of string (integer given)."),
        ("encoding", "utf8", "The value you selected is not a valid choice."),
        ("priority", 10, "This value should be between 0 and 9."),
        ("priority", -1, "This value should be between 0 and 9."),
        ("priority", "5", "The type of the attribute must be one of integer (string given)."),
        ("validity", "3h", "The value you selected is not a valid choice."),
        ("modem_no", 0, "This value should be between 1 and 8."),
        ("modem_no", 9, "This value should be between 1 and 8."),
        ("oid", "x" * 37, "This value is too long. It should have 36 characters or less."),
        ("flash", "yes", "The type of the attribute must be one of boolean (string given)."),
        ("date", "tomorrow", "This value is not a valid datetime."),
        ("send_after", "25:00", "This value is not a valid time."),
    ],
)
def test_invalid_field_gets_400(http, field, value, expected):
    body = {"to": [NUMBER], "text": "Code 555555"}
    if value is None:
        del body[field]
    else:
        body[field] = value

    response = send(http, body=body)

    assert response.status == 400
    assert response.json() == {"message": {field: expected}}
    assert stored_messages(http) == []


def test_valid_optional_fields_are_accepted(http):
    body = {
        "to": [NUMBER],
        "text": "Code 666666",
        "encoding": "standard",
        "priority": 0,
        "validity": "max",
        "modem_no": 8,
        "oid": "x" * 36,
        "flash": False,
        "date": "2030-01-02T03:04:05+01:00",
        "send_after": "08:00",
        "send_before": "20:00",
    }
    assert send(http, body=body).status == 200


def test_invalid_json_gets_400_with_message_object(http):
    response = call(f"{http}/api/v2/messages/sms", "POST", raw_body=b"{not json", headers={"access-token": TOKEN})
    assert response.status == 400
    assert isinstance(response.json()["message"], dict)


def test_json_array_body_gets_400(http):
    response = call(f"{http}/api/v2/messages/sms", "POST", [NUMBER], headers={"access-token": TOKEN})
    assert response.status == 400
    assert isinstance(response.json()["message"], dict)


# ------------------------------------------------------------------ ids and test mode


def test_ids_increase_across_requests(http):
    first = send(http, body={"to": [NUMBER, OTHER_NUMBER], "text": "x"}).json()
    second = send(http, "/api/v2/messages/sms_single", {"to": NUMBER, "text": "y"}).json()

    ids = [item["id"] for item in first + second]
    assert [item["number"] for item in first] == [NUMBER, OTHER_NUMBER]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3


def test_concurrent_sends_get_distinct_ids(http):
    results: list[int] = []
    results_lock = threading.Lock()

    def send_one() -> None:
        response = send(http)
        with results_lock:
            results.append(response.json()[0]["id"])

    threads = [threading.Thread(target=send_one) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 16
    assert len(set(results)) == 16
    assert sorted(message["id"] for message in stored_messages(http)) == sorted(results)


def test_test_mode_returns_id_0_and_stores_nothing(http):
    response = send(http, body={"to": [NUMBER, OTHER_NUMBER], "text": "x", "test": True})

    assert response.status == 200
    assert response.json() == [
        {"status": "queued", "message": "OK", "number": NUMBER, "id": 0},
        {"status": "queued", "message": "OK", "number": OTHER_NUMBER, "id": 0},
    ]
    assert stored_messages(http) == []


# ------------------------------------------------------------------ other device routes


def test_message_status_of_stored_message(http):
    message_id = send(http).json()[0]["id"]

    response = call(f"{http}/api/v2/messages/status/{message_id}", headers={"access-token": TOKEN})

    assert response.status == 200
    body = response.json()
    assert body["id"] == message_id
    assert body["folder"] in ("outbox", "sentitems")
    assert body["status"] in ("queued", "SendingOK")


def test_message_status_of_unknown_id_gets_404(http):
    response = call(f"{http}/api/v2/messages/status/999999", headers={"access-token": TOKEN})
    assert response.status == 404
    assert response.raw == b""


@pytest.mark.parametrize("prefix", API_PREFIXES)
def test_health_probes(http, prefix):
    headers = {"access-token": TOKEN}
    assert call(f"{http}{prefix}/modem/status/1", headers=headers).json() == {"modem_no": 1, "modem_enabled": True}
    signal_body = call(f"{http}{prefix}/modem/signal/2", headers=headers).json()
    assert signal_body["modem_no"] == 2
    assert 0 <= int(signal_body["signal_strength"]) <= 100
    count = call(f"{http}{prefix}/messages/count", headers=headers).json()
    assert set(count) == {"inbox", "outbox", "sent", "error", "delivered"}
    version = call(f"{http}{prefix}/device/version", headers=headers).json()
    assert set(version) == {"current_version", "update_available"}


def test_modem_switch_reports_modem_down(http):
    headers = {"access-token": TOKEN}
    response = call(f"{http}/_standin/modem", "POST", {"enabled": False})
    assert response.status == 200
    assert response.json() == {"enabled": False}
    assert call(f"{http}/_standin/modem").json() == {"enabled": False}

    for prefix in API_PREFIXES:
        status = call(f"{http}{prefix}/modem/status/3", headers=headers)
        assert status.status == 200
        assert status.json() == {"modem_no": 3, "modem_enabled": False}
    assert call(f"{http}/api/v2/modem/signal/1", headers=headers).json()["signal_strength"] == 0


def test_modem_down_still_queues_sends(http):
    assert call(f"{http}/_standin/modem", "POST", {"enabled": False}).status == 200
    response = send(http)
    assert response.status == 200
    assert response.json()[0]["status"] == "queued"
    assert len(stored_messages(http)) == 1


def test_modem_switch_back_on(http):
    assert call(f"{http}/_standin/modem", "POST", {"enabled": False}).status == 200
    assert call(f"{http}/_standin/modem", "POST", {"enabled": True}).status == 200
    status = call(f"{http}/api/v2/modem/status/1", headers={"access-token": TOKEN})
    assert status.json() == {"modem_no": 1, "modem_enabled": True}


def test_modem_status_needs_modem_permission(http):
    assert call(f"{http}/_standin/modem", "POST", {"enabled": False}).status == 200
    response = call(f"{http}/api/v2/modem/status/1", headers={"access-token": TOKEN_SEND_ONLY})
    assert response.status == 403
    assert response.json() == {"message": "User has no access to this method."}


@pytest.mark.parametrize("body", [{}, {"enabled": "false"}, {"enabled": 0}, [False], None])
def test_modem_switch_rejects_invalid_body(http, body):
    response = call(f"{http}/_standin/modem", "POST", body, raw_body=b"not json" if body is None else None)
    assert response.status == 400
    assert call(f"{http}/_standin/modem").json() == {"enabled": True}


def test_modem_switch_rejects_other_methods(http):
    assert call(f"{http}/_standin/modem", "DELETE").status == 405


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/api/v2/messages/unknown"), ("GET", "/index.php/api/v2/nothing/here"), ("GET", "/api/v2/messages/sms"),
     ("POST", "/api/v2/device/version")],
)
def test_unknown_api_method_gets_405(http, method, path):
    body = {} if method == "POST" else None
    response = call(f"{http}{path}", method, body, headers={"access-token": TOKEN})
    assert response.status == 405
    assert response.json() == {"message": "Unknown method."}


def test_path_outside_api_gets_404(http):
    assert call(f"{http}/something/else").status == 404


# ------------------------------------------------------------------ faults


def set_fault(base: str, mode: str, delay_ms: int = 0, count: int | None = None) -> None:
    body = {"mode": mode, "delay_ms": delay_ms}
    if count is not None:
        body["count"] = count
    response = call(f"{base}/_standin/faults", "POST", body)
    assert response.status == 200


def test_fault_endpoint_reports_current_fault(http):
    set_fault(http, "delay", 250)
    assert call(f"{http}/_standin/faults").json() == {"mode": "delay", "delay_ms": 250, "count": None}


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "explode"},
        {"mode": "delay", "delay_ms": -5},
        {"mode": "delay", "delay_ms": "1"},
        {"mode": "reject", "count": 0},
        {"mode": "reject", "count": -1},
        {"mode": "reject", "count": "2"},
        {"mode": "reject", "count": True},
        {"mode": "reject", "count": 1.5},
    ],
)
def test_fault_endpoint_rejects_invalid_body(http, body):
    response = call(f"{http}/_standin/faults", "POST", body)
    assert response.status == 400
    assert call(f"{http}/_standin/faults").json()["mode"] == "none"


@pytest.mark.parametrize("path", ["/api/v2/messages/sms", "/index.php/api/v2/messages/sms_single"])
def test_reject_fault_returns_rejected_items(http, path):
    set_fault(http, "reject")
    to = [NUMBER, OTHER_NUMBER] if path.endswith("/sms") else NUMBER

    response = send(http, path, {"to": to, "text": "x"})

    assert response.status == 200
    items = response.json()
    assert len(items) == (2 if isinstance(to, list) else 1)
    for item in items:
        assert item["status"] == "REJECTED"
        assert "id" not in item
        assert isinstance(item["message"], str)
    assert items[0]["number"] == NUMBER
    assert stored_messages(http) == []


def test_error500_fault_returns_bodiless_500(http):
    set_fault(http, "error500")

    response = send(http)

    assert response.status == 500
    assert response.raw == b""
    assert stored_messages(http) == []


@pytest.mark.parametrize(
    ("mode", "status", "expected"),
    [
        ("unauthorized", 401, {"message": "Invalid API key."}),
        ("forbidden", 403, {"message": "User has no access to this method."}),
    ],
)
@pytest.mark.parametrize("path", ["/api/v2/messages/sms", "/index.php/api/v2/messages/sms_single"])
def test_auth_faults_return_device_errors(http, mode, status, expected, path):
    set_fault(http, mode)
    body = {"to": [NUMBER] if path.endswith("/sms") else NUMBER, "text": "x"}

    response = send(http, path, body)

    assert response.status == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == expected
    assert stored_messages(http) == []


@pytest.mark.parametrize("mode", ["unauthorized", "forbidden"])
def test_auth_faults_spare_probe_paths(http, mode):
    set_fault(http, mode)
    response = call(f"{http}/api/v2/device/version", headers={"access-token": TOKEN})
    assert response.status == 200


def test_auth_fault_applies_to_valid_token_over_https(standin, tls_context):
    set_fault(standin.urls["http"], "unauthorized")

    response = send(standin.urls["https"], context=tls_context)

    assert response.status == 401
    assert response.json() == {"message": "Invalid API key."}


def test_counted_fault_applies_to_next_sends_only(http):
    set_fault(http, "error500", count=2)
    assert call(f"{http}/_standin/faults").json() == {"mode": "error500", "delay_ms": 0, "count": 2}

    assert send(http).status == 500
    assert call(f"{http}/_standin/faults").json()["count"] == 1
    assert send(http).status == 500
    assert call(f"{http}/_standin/faults").json() == {"mode": "none", "delay_ms": 0, "count": None}

    response = send(http)
    assert response.status == 200
    assert response.json()[0]["status"] == "queued"
    assert len(stored_messages(http)) == 1


def test_counted_fault_ignores_probe_paths(http):
    set_fault(http, "forbidden", count=1)

    assert call(f"{http}/api/v2/device/version", headers={"access-token": TOKEN}).status == 200
    assert call(f"{http}/_standin/messages").status == 200
    assert call(f"{http}/_standin/faults").json()["count"] == 1

    assert send(http).status == 403
    assert send(http).status == 200


def test_counted_reject_fault_then_queues(http):
    set_fault(http, "reject", count=1)

    first = send(http, "/api/v2/messages/sms_single", {"to": NUMBER, "text": "x"})
    second = send(http, "/api/v2/messages/sms_single", {"to": NUMBER, "text": "y"})

    assert first.status == 200
    assert first.json()[0]["status"] == "REJECTED"
    assert second.status == 200
    assert second.json()[0]["status"] == "queued"
    assert [message["text"] for message in stored_messages(http)] == ["y"]


def test_counted_fault_used_up_by_invalid_body(http):
    set_fault(http, "reject", count=1)

    invalid = send(http, body={"to": [NUMBER]})
    valid = send(http)

    assert invalid.status == 400
    assert valid.status == 200
    assert valid.json()[0]["status"] == "queued"


def test_counted_fault_under_parallel_sends(http):
    set_fault(http, "error500", count=3)
    statuses: list[int] = []
    lock = threading.Lock()

    def send_one() -> None:
        status = send(http).status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send_one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 7 + [500] * 3
    assert len(stored_messages(http)) == 7
    assert call(f"{http}/_standin/faults").json()["mode"] == "none"


def test_counted_hang_releases_next_send(http):
    set_fault(http, "hang", count=1)

    with pytest.raises((TimeoutError, urllib.error.URLError)):
        send(http, timeout=0.5)

    assert send(http).status == 200


def test_count_on_none_is_ignored(http):
    set_fault(http, "none", count=5)
    assert call(f"{http}/_standin/faults").json() == {"mode": "none", "delay_ms": 0, "count": None}


def test_new_fault_replaces_counted_fault(http):
    set_fault(http, "error500", count=5)
    set_fault(http, "forbidden")

    for _ in range(6):
        assert send(http).status == 403
    assert call(f"{http}/_standin/faults").json()["count"] is None


def test_faults_spare_probe_paths(http):
    set_fault(http, "error500")
    response = call(f"{http}/api/v2/device/version", headers={"access-token": TOKEN})
    assert response.status == 200


def test_delay_fault_delays_response(http):
    set_fault(http, "delay", 1500)

    # The server waits at least 1.5 s, so a 0.3 s client timeout always expires.
    # Test mode keeps the late response from storing a message.
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        send(http, body={"to": [NUMBER], "text": "x", "test": True}, timeout=0.3)

    response = send(http)
    assert response.status == 200
    assert response.json()[0]["status"] == "queued"
    assert len(stored_messages(http)) == 1


def test_hang_fault_times_out_client(http):
    set_fault(http, "hang")

    with pytest.raises((TimeoutError, urllib.error.URLError)) as caught:
        send(http, timeout=0.5)

    reason = getattr(caught.value, "reason", caught.value)
    assert isinstance(reason, TimeoutError)
    assert stored_messages(http) == []


def test_hang_fault_leaves_other_requests_working(http):
    set_fault(http, "hang")
    host, port = http.removeprefix("http://").rsplit(":", 1)
    body = json.dumps({"to": [NUMBER], "text": "x"}).encode()
    request = (
        f"POST /api/v2/messages/sms HTTP/1.1\r\nHost: {host}\r\naccess-token: {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    with socket.create_connection((host, int(port))) as hanging:
        hanging.sendall(request)

        assert call(f"{http}/_standin/faults").json()["mode"] == "hang"
        assert call(f"{http}/api/v2/device/version", headers={"access-token": TOKEN}).status == 200
        set_fault(http, "none")
        assert send(http).status == 200

        # The hanging request is still unanswered after the other requests were served.
        hanging.settimeout(0.5)
        with pytest.raises(TimeoutError):
            hanging.recv(1)


def test_redirect_fault_points_to_https(standin, http):
    set_fault(http, "redirect")

    response = send(http, "/index.php/api/v2/messages/sms?x=1")

    assert response.status == 301
    assert response.headers["Location"] == f"{standin.urls['https']}/index.php/api/v2/messages/sms?x=1"
    assert stored_messages(http) == []


def test_redirect_fault_on_https_points_to_itself(standin, tls_context, http):
    set_fault(http, "redirect")

    response = send(standin.urls["https"], context=tls_context)

    assert response.status == 301
    assert response.headers["Location"] == f"{standin.urls['https']}/api/v2/messages/sms"


def test_redirect_fault_without_https_points_to_same_url(tmp_path):
    http_only = start_standin(tmp_path, "--http-port", "0")
    try:
        base = http_only.urls["http"]
        set_fault(base, "redirect")

        response = send(base)

        assert response.status == 301
        assert response.headers["Location"] == f"{base}/api/v2/messages/sms"
    finally:
        http_only.stop()


# ------------------------------------------------------------------ inspection endpoints


def test_delete_messages_empties_store(http):
    send(http, body={"to": [NUMBER, OTHER_NUMBER], "text": "x"})

    response = call(f"{http}/_standin/messages", "DELETE")

    assert response.status == 200
    assert response.json() == {"deleted": 2}
    assert stored_messages(http) == []


def test_html_page_lists_newest_first_escaped(http):
    send(http, body={"to": [NUMBER], "text": "older-sms <b>&"})
    send(http, body={"to": [OTHER_NUMBER], "text": "newer-sms"})

    response = call(f"{http}/_standin/")

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.raw.decode()
    assert "older-sms &lt;b&gt;&amp;" in page
    assert "<b>&" not in page
    assert NUMBER in page
    assert page.index("newer-sms") < page.index("older-sms")


def test_unknown_inspection_path_gets_404(http):
    assert call(f"{http}/_standin/nothing").status == 404


# ------------------------------------------------------------------ TLS and process


def test_tls_without_standin_ca_fails(standin):
    with pytest.raises(urllib.error.URLError) as caught:
        send(standin.urls["https"], context=ssl.create_default_context())
    assert isinstance(caught.value.reason, ssl.SSLCertVerificationError)


def test_tls_certificate_names_localhost(standin, tls_context):
    url = standin.urls["https"].replace("127.0.0.1", "localhost")
    response = call(f"{url}/_standin/faults", context=tls_context)
    assert response.status == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.com"])
def test_non_loopback_host_is_rejected(tmp_path, host):
    result = subprocess.run(
        [sys.executable, str(STANDIN_SCRIPT), "--host", host, "--http-port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert "READY" not in result.stdout


def test_sigterm_stops_cleanly_and_log_hides_secrets(tmp_path):
    secret_text = "Your code is 987654"
    process = start_standin(tmp_path, "--http-port", "0", "--token", "secret-token-xyz")
    base = process.urls["http"]
    response = call(f"{base}/api/v2/messages/sms?access_token=secret-token-xyz", "POST", {"to": [NUMBER], "text": secret_text})
    assert response.status == 200

    assert process.stop() == 0

    log = process.stderr_text()
    assert "POST /api/v2/messages/sms 200" in log
    assert "secret-token-xyz" not in log
    assert "987654" not in log
    assert NUMBER not in log


def test_default_token_is_demo_token(tmp_path):
    process = start_standin(tmp_path, "--http-port", "0")
    try:
        base = process.urls["http"]
        assert send(base, token="demo-token").status == 200
        assert send(base, token="other").status == 401
    finally:
        process.stop()


def test_given_certificate_is_served(standin, tls_context, tmp_path):
    cert_dir = standin.ca_file.parent
    process = start_standin(
        tmp_path, "--https-port", "0",
        "--tls-cert", str(cert_dir / "server.pem"), "--tls-key", str(cert_dir / "server.key"),
    )
    try:
        assert process.ca_file is None
        assert send(process.urls["https"], context=tls_context).status == 200
    finally:
        process.stop()


def test_malformed_request_line_is_logged_safely(standin, http):
    host, port = http.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"GET /api/v2/device/version?access_token=malformed-secret HTTP/1.1 junk\r\n\r\n")
        connection.settimeout(10)
        assert connection.recv(1024) != b""

    assert call(f"{http}/_standin/faults").status == 200
    log = standin.stderr_text()
    assert "code 400" in log
    assert "malformed-secret" not in log
    assert "Traceback" not in log


def test_stalled_tls_handshake_blocks_nothing(standin, tls_context):
    host, port = standin.urls["https"].removeprefix("https://").rsplit(":", 1)
    with socket.create_connection((host, int(port))):
        # This connection never starts its TLS handshake.
        response = call(f"{standin.urls['https']}/_standin/faults", context=tls_context)
        assert response.status == 200
