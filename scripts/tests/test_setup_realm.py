"""Tests of scripts/setup-realm.py without Keycloak: argument handling, and the error messages for
responses of a small fake admin API. e2e/setup-realm.test.mjs runs the script against a real Keycloak.

Run: python3 -m pytest scripts/tests -q   (or python3 -m unittest discover scripts/tests)
"""

import importlib.util
import json
import os
import subprocess
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

SCRIPT = Path(__file__).resolve().parent.parent / "setup-realm.py"
TOKEN = "token-that-must-not-appear-7f3a"
ADMIN_PASSWORD = "password-that-must-not-appear-91c2"
SMS_URL = "https://127.0.0.1:9/api/v2/messages/sms_single"
ENV_NAMES = ("SMS_API_TOKEN", "KEYCLOAK_ADMIN_USER", "KEYCLOAK_ADMIN_PASSWORD")


def run_script(args, env=None):
    """Run the script with ARGS and only the environment variables in ENV among ENV_NAMES.

    stdin is not a terminal, so the script never prompts for a missing secret.
    """
    full_env = {key: value for key, value in os.environ.items() if key not in ENV_NAMES}
    full_env.update(env or {})
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=full_env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def base_args(keycloak_url="http://127.0.0.1:9"):
    return ["--keycloak-url", keycloak_url, "--realm", "demo", "--sms-url", SMS_URL, "--admin-user", "admin"]


class ArgumentTest(unittest.TestCase):
    def test_missing_token_is_usage_error(self):
        result = run_script(base_args(), {"KEYCLOAK_ADMIN_PASSWORD": ADMIN_PASSWORD})
        self.assertEqual(result.returncode, 2)
        self.assertIn("--token is missing", result.stderr)
        self.assertIn("SMS_API_TOKEN", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_empty_token_env_is_missing(self):
        result = run_script(base_args(), {"KEYCLOAK_ADMIN_PASSWORD": ADMIN_PASSWORD, "SMS_API_TOKEN": ""})
        self.assertEqual(result.returncode, 2)
        self.assertIn("--token is missing", result.stderr)

    def test_missing_admin_password(self):
        result = run_script(base_args(), {"SMS_API_TOKEN": TOKEN})
        self.assertEqual(result.returncode, 2)
        self.assertIn("--admin-password is missing", result.stderr)
        self.assertIn("KEYCLOAK_ADMIN_PASSWORD", result.stderr)
        self.assertNotIn(TOKEN, result.stderr)

    def test_missing_admin_user(self):
        args = ["--realm", "demo", "--sms-url", SMS_URL]
        result = run_script(args, {"SMS_API_TOKEN": TOKEN, "KEYCLOAK_ADMIN_PASSWORD": ADMIN_PASSWORD})
        self.assertEqual(result.returncode, 2)
        self.assertIn("KEYCLOAK_ADMIN_USER", result.stderr)

    def test_missing_realm(self):
        args = ["--sms-url", SMS_URL, "--token", TOKEN, "--admin-user", "admin", "--admin-password", ADMIN_PASSWORD]
        result = run_script(args)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--realm", result.stderr)
        self.assertNotIn(TOKEN, result.stderr)
        self.assertNotIn(ADMIN_PASSWORD, result.stderr)

    def test_missing_sms_url(self):
        args = ["--realm", "demo", "--token", TOKEN, "--admin-user", "admin", "--admin-password", ADMIN_PASSWORD]
        result = run_script(args)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--sms-url", result.stderr)

    def test_sms_url_without_scheme(self):
        args = base_args() + ["--token", TOKEN, "--admin-password", ADMIN_PASSWORD]
        args[args.index(SMS_URL)] = "smseagle.example.org/api/v2/messages/sms_single"
        result = run_script(args)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--sms-url must be an http:// or https:// URL", result.stderr)

    def test_relative_ca_file(self):
        args = base_args() + ["--token", TOKEN, "--admin-password", ADMIN_PASSWORD, "--ca-file", "ca.pem"]
        result = run_script(args)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--ca-file must be an absolute path", result.stderr)

    def test_missing_keycloak_ca_file(self):
        args = base_args() + ["--token", TOKEN, "--admin-password", ADMIN_PASSWORD,
                              "--keycloak-ca-file", "/nonexistent/keycloak-ca.pem"]
        result = run_script(args)
        self.assertEqual(result.returncode, 2)
        self.assertIn("/nonexistent/keycloak-ca.pem: file not found", result.stderr)

    def test_flow_alias_browser_rejected(self):
        args = base_args() + ["--token", TOKEN, "--admin-password", ADMIN_PASSWORD, "--flow-alias", "browser"]
        result = run_script(args)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--flow-alias must differ from the built-in flow 'browser'", result.stderr)

    def test_keycloak_unreachable(self):
        result = run_script(base_args(), {"SMS_API_TOKEN": TOKEN, "KEYCLOAK_ADMIN_PASSWORD": ADMIN_PASSWORD})
        self.assertEqual(result.returncode, 1)
        self.assertIn("error: cannot connect to Keycloak at http://127.0.0.1:9", result.stderr)


class FakeKeycloak(BaseHTTPRequestHandler):
    """Fake admin API whose responses the test chooses through the class attribute SCENARIO."""

    scenario = "ok"
    requests = []

    def log_message(self, format, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        FakeKeycloak.requests.append(("POST", self.path))
        if self.path == "/realms/master/protocol/openid-connect/token":
            if self.scenario == "login-401":
                self.reply(401, {"error": "invalid_grant", "error_description": "Invalid user credentials"})
            else:
                self.reply(200, {"access_token": "fake-access-token"})
            return
        self.reply(500, {"errorMessage": "unexpected POST in the fake admin API"})

    def do_GET(self):
        FakeKeycloak.requests.append(("GET", self.path))
        if self.path == "/admin/realms/demo":
            if self.scenario == "realm-404":
                self.reply(404, {"error": "Realm not found."})
            elif self.scenario == "forbidden":
                self.reply(403, {"error": "HTTP 403 Forbidden"})
            else:
                self.reply(200, {"realm": "demo", "browserFlow": "browser"})
            return
        if self.path == "/admin/realms/demo/authentication/authenticator-providers":
            if self.scenario == "echo-token":
                self.reply(500, {"errorMessage": f"cannot store apitoken={TOKEN}"})
            else:
                self.reply(200, [{"id": "auth-otp-form", "displayName": "OTP Form"}])
            return
        self.reply(404, {"error": "not found in the fake admin API"})


class ErrorMessageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeKeycloak)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def run_against(self, scenario):
        FakeKeycloak.scenario = scenario
        FakeKeycloak.requests = []
        result = run_script(base_args(self.url), {"SMS_API_TOKEN": TOKEN, "KEYCLOAK_ADMIN_PASSWORD": ADMIN_PASSWORD})
        output = result.stdout + result.stderr
        self.assertNotIn(TOKEN, output)
        self.assertNotIn(ADMIN_PASSWORD, output)
        return result

    def test_login_rejected(self):
        result = self.run_against("login-401")
        self.assertEqual(result.returncode, 1)
        self.assertIn("error: login as admin 'admin' in realm 'master' failed: HTTP 401: Invalid user credentials",
                      result.stderr)

    def test_realm_not_found(self):
        result = self.run_against("realm-404")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"error: realm 'demo' not found at {self.url}", result.stderr)

    def test_no_admin_rights(self):
        result = self.run_against("forbidden")
        self.assertEqual(result.returncode, 1)
        self.assertIn("HTTP 403, the user 'admin' has no admin rights for realm 'demo'", result.stderr)

    def test_provider_not_installed(self):
        result = self.run_against("no-provider")
        self.assertEqual(result.returncode, 1)
        self.assertIn("error: the provider sms-2fa is not installed: copy the jar into providers/ and run kc.sh build",
                      result.stderr)
        changes = [request for request in FakeKeycloak.requests if request[0] != "GET" and "token" not in request[1]]
        self.assertEqual(changes, [], "the script changed the realm before it found the provider missing")

    def test_server_message_with_token_redacted(self):
        result = self.run_against("echo-token")
        self.assertEqual(result.returncode, 1)
        self.assertIn("listing the authenticators failed: HTTP 500: cannot store apitoken=***", result.stderr)


def load_script():
    """Import setup-realm.py, whose name is no valid module name, as the module setup_realm."""
    spec = importlib.util.spec_from_file_location("setup_realm", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RecordingClient:
    """Fake AdminClient for the enrolment step: returns GET responses from a table and records other calls."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def get(self, path, action):
        return self.answers[path]

    def call(self, method, path, body=None, action=None, handled=()):
        self.calls.append((method, path, body))
        if method == "POST" and path == "/authentication/register-required-action":
            self.answers["/authentication/required-actions/mobile_number_config"] = {
                "alias": "mobile_number_config", "providerId": "mobile_number_config", "enabled": False}
        return 204, None, {}


class EnrolmentStepTest(unittest.TestCase):
    """The enrolment step against a Keycloak whose provider offers no enrolment required action."""

    @classmethod
    def setUpClass(cls):
        cls.module = load_script()

    def run_step(self, registered, unregistered):
        client = RecordingClient({
            "/authentication/required-actions": registered,
            "/authentication/unregistered-required-actions": unregistered,
        })
        setup = self.module.Setup(client, SimpleNamespace(realm="demo"))
        setup.ensure_enrolment()
        return setup, client

    def test_not_available(self):
        setup, client = self.run_step([{"alias": "CONFIGURE_TOTP", "enabled": True}], [])
        self.assertEqual(client.calls, [])
        self.assertEqual(setup.changes, 0)
        self.assertIn("offers no required action", setup.report[0])

    def test_unregistered_is_registered_and_enabled(self):
        unregistered = [{"providerId": "mobile_number_config", "name": "Configure phone number"}]
        setup, client = self.run_step([], unregistered)
        self.assertEqual(client.calls[0], ("POST", "/authentication/register-required-action",
                                           {"providerId": "mobile_number_config", "name": "Configure phone number"}))
        method, path, body = client.calls[1]
        self.assertEqual((method, path), ("PUT", "/authentication/required-actions/mobile_number_config"))
        self.assertIs(body["enabled"], True)
        self.assertEqual(setup.changes, 1)
        self.assertIn("registered and enabled", setup.report[0])

    def test_registered_disabled_is_enabled(self):
        registered = [{"alias": "mobile_number_config", "providerId": "mobile_number_config", "enabled": False}]
        setup, client = self.run_step(registered, [])
        self.assertEqual(len(client.calls), 1)
        self.assertEqual(client.calls[0][0:2], ("PUT", "/authentication/required-actions/mobile_number_config"))
        self.assertIs(client.calls[0][2]["enabled"], True)
        self.assertEqual(setup.changes, 1)

    def test_enabled_is_already_configured(self):
        registered = [{"alias": "mobile_number_config", "providerId": "mobile_number_config", "enabled": True}]
        setup, client = self.run_step(registered, [])
        self.assertEqual(client.calls, [])
        self.assertEqual(setup.changes, 0)
        self.assertIn("already configured", setup.report[0])


if __name__ == "__main__":
    unittest.main()
