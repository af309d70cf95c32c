#!/usr/bin/env python3
"""Set up SMS codes as the second factor of an existing Keycloak realm, in one command.

The script does the manual steps of the README through Keycloak's admin REST API. It copies the
realm's "browser" flow and adds the step "SMS Authentication (2FA)" (provider sms-2fa) as
ALTERNATIVE right after the OTP Form of the copy's conditional 2FA subflow. It gives the step a
config named sms-2fa with the SMSEagle values, enables phone number enrolment when the server
has it, and binds the copy as the realm's browser flow.

Running it again changes only what differs and reports the rest as "already configured".
Python 3 standard library only, so it runs on an offline Keycloak host.

Example:
    SMS_API_TOKEN=... KEYCLOAK_ADMIN_USER=admin KEYCLOAK_ADMIN_PASSWORD=... \\
    scripts/setup-realm.py --realm demo \\
        --sms-url https://smseagle.example.org/api/v2/messages/sms_single \\
        --ca-file /etc/keycloak/smseagle-ca.pem
"""

import argparse
import getpass
import json
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

PROVIDER_ID = "sms-2fa"
CONFIG_ALIAS = "sms-2fa"
OTP_PROVIDER_ID = "auth-otp-form"
BUILT_IN_BROWSER_FLOW = "browser"
ENROLMENT_ACTION = "mobile_number_config"
ALTERNATIVE = "ALTERNATIVE"
# Placeholder that the admin REST API returns in place of a secret config value (Keycloak's
# ComponentRepresentation.SECRET_VALUE).
SECRET_MASK = "**********"

# Settings from SMSEagle's Keycloak manual. apiurl, apitoken and tlsCaFile come from the arguments.
MANUAL_SETTINGS = {
    "urlencode": "false",
    "apitokenattribute": "access_token",
    "messageattribute": "text",
    "receiverattribute": "to",
    "senderattribute": "from",
    "forceSecondFactor": "false",
}

HTTP_TIMEOUT_SECONDS = 30
EXIT_FAILURE = 1
EXIT_USAGE = 2


class SetupError(Exception):
    """Failure of a setup step, with a message in the admin's words."""


# ------------------------------------------------------------------ arguments


def parse_args(argv):
    """Parse and check the command line. Missing secrets come from the environment or a prompt."""
    parser = argparse.ArgumentParser(
        prog="setup-realm.py",
        description="Configure SMS codes as the second factor of an existing Keycloak realm.",
        epilog="Secrets are best passed in the environment (KEYCLOAK_ADMIN_PASSWORD, SMS_API_TOKEN), "
        "because other users of the machine can read command lines. Neither is ever printed.",
    )
    parser.add_argument("--keycloak-url", default="http://127.0.0.1:8080",
                        help="base URL of Keycloak (default: %(default)s)")
    parser.add_argument("--keycloak-ca-file",
                        help="PEM file of the CA that signed Keycloak's HTTPS certificate, "
                        "when it is not in the system trust store")
    parser.add_argument("--realm", required=True, help="name of the realm to configure")
    parser.add_argument("--admin-realm", default="master",
                        help="realm of the admin user (default: %(default)s)")
    parser.add_argument("--admin-user", help="admin user name (default: env KEYCLOAK_ADMIN_USER)")
    parser.add_argument("--admin-password", help="admin password (default: env KEYCLOAK_ADMIN_PASSWORD)")
    parser.add_argument("--sms-url", required=True,
                        help="the gateway's send URL, e.g. https://<device>/api/v2/messages/sms_single")
    parser.add_argument("--token", help="the gateway's API token (default: env SMS_API_TOKEN)")
    parser.add_argument("--ca-file",
                        help="absolute path, on the Keycloak server, of the PEM file of the CA "
                        "that signed the gateway's certificate (config key tlsCaFile)")
    parser.add_argument("--flow-alias", default="browser-sms",
                        help="name of the flow to create or update (default: %(default)s)")
    parser.add_argument("--bind", action=argparse.BooleanOptionalAction, default=True,
                        help="bind the flow as the realm's browser flow (default: on)")
    args = parser.parse_args(argv)

    args.keycloak_url = args.keycloak_url.rstrip("/")
    check_url(parser, "--keycloak-url", args.keycloak_url)
    check_url(parser, "--sms-url", args.sms_url)
    if args.keycloak_ca_file and not os.path.isfile(args.keycloak_ca_file):
        parser.error(f"--keycloak-ca-file {args.keycloak_ca_file}: file not found")
    if args.ca_file is not None and not os.path.isabs(args.ca_file):
        parser.error(f"--ca-file must be an absolute path on the Keycloak server, got {args.ca_file!r}")
    if not args.flow_alias.strip():
        parser.error("--flow-alias must not be empty")
    if args.flow_alias == BUILT_IN_BROWSER_FLOW:
        parser.error("--flow-alias must differ from the built-in flow 'browser', which Keycloak "
                     "does not let you extend; the script copies it instead")

    args.admin_user = args.admin_user or os.environ.get("KEYCLOAK_ADMIN_USER") or None
    if not args.admin_user:
        parser.error("the admin user is missing: pass --admin-user or set KEYCLOAK_ADMIN_USER")
    args.admin_password = secret_value(
        parser, args.admin_password, "KEYCLOAK_ADMIN_PASSWORD", "--admin-password",
        f"Password of Keycloak admin {args.admin_user}: ")
    args.token = secret_value(parser, args.token, "SMS_API_TOKEN", "--token", "SMS gateway API token: ")
    return args


def check_url(parser, option, url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        parser.error(f"{option} must be an http:// or https:// URL with a host, got {url!r}")


def secret_value(parser, option_value, env_name, option, prompt):
    """Return a secret from its option, else its environment variable, else a prompt on a terminal."""
    value = option_value or os.environ.get(env_name)
    if not value and sys.stdin.isatty():
        value = getpass.getpass(prompt)
    if not value:
        parser.error(f"{option} is missing: pass {option} or set {env_name}")
    return value


# ------------------------------------------------------------------ admin REST API


class AdminClient:
    """Keycloak admin REST API of one realm, logged in through the admin-cli client."""

    def __init__(self, args):
        self.base_url = args.keycloak_url
        self.realm = args.realm
        self.admin_realm = args.admin_realm
        self.admin_user = args.admin_user
        self.admin_password = args.admin_password
        self.secrets = (args.admin_password, args.token)
        self.ssl_context = ssl.create_default_context(cafile=args.keycloak_ca_file)
        self.access_token = None

    def log_in(self):
        form = urllib.parse.urlencode({
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": self.admin_user,
            "password": self.admin_password,
        }).encode()
        url = f"{self.base_url}/realms/{quote(self.admin_realm)}/protocol/openid-connect/token"
        request = urllib.request.Request(url, data=form, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        status, body, _ = self.send(request)
        if status == 404:
            raise SetupError(f"login as admin failed: the admin realm {self.admin_realm!r} was not found")
        if status != 200:
            raise SetupError(f"login as admin {self.admin_user!r} in realm {self.admin_realm!r} failed: "
                             f"HTTP {status}{self.error_detail(body)}")
        if not isinstance(body, dict) or not body.get("access_token"):
            raise SetupError(f"login as admin failed: {url} returned no access token")
        self.access_token = body["access_token"]

    def call(self, method, path, body=None, action=None, handled=()):
        """Send a request to /admin/realms/{realm}{path}.

        Returns (status, parsed JSON body or None, headers) for 2xx and for the statuses in
        HANDLED, which the caller handles. Any other status raises SetupError naming ACTION.
        """
        url = f"{self.base_url}/admin/realms/{quote(self.realm)}{path}"
        status, parsed, headers = self.send(self.admin_request(method, url, body))
        if status == 401:
            # admin-cli tokens live 60 s by default, so a slow run logs in again once.
            self.log_in()
            status, parsed, headers = self.send(self.admin_request(method, url, body))
        if 200 <= status < 300 or status in handled:
            return status, parsed, headers
        failed_action = action or f"{method} {path}"
        if status == 403:
            raise SetupError(f"{failed_action} failed: HTTP 403, the user {self.admin_user!r} has no admin rights "
                             f"for realm {self.realm!r}")
        raise SetupError(f"{failed_action} failed: HTTP {status}{self.error_detail(parsed)}")

    def error_detail(self, body):
        return detail_of(body, self.secrets)

    def admin_request(self, method, url, body):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.access_token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        return request

    def send(self, request):
        """Send REQUEST and return (status, parsed JSON body or None, headers), for any status."""
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS,
                                        context=self.ssl_context) as response:
                return response.status, parse_json(response.read()), response.headers
        except urllib.error.HTTPError as error:
            return error.code, parse_json(error.read()), error.headers
        except urllib.error.URLError as error:
            raise SetupError(self.connection_failure(error.reason)) from None
        except (TimeoutError, ConnectionError) as error:
            raise SetupError(self.connection_failure(error)) from None

    def connection_failure(self, reason):
        message = f"cannot connect to Keycloak at {self.base_url}: {reason}"
        if isinstance(reason, ssl.SSLCertVerificationError):
            message += "; pass the CA of Keycloak's certificate with --keycloak-ca-file"
        return message

    def get(self, path, action):
        return self.call("GET", path, action=action)[1]


def quote(segment):
    """Quote SEGMENT for a URL path, because flow aliases contain spaces."""
    return urllib.parse.quote(segment, safe="")


def parse_json(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def detail_of(body, secrets):
    """Return ': <Keycloak's error message>' from an error body, or '' when it has none.

    Every secret in the message is replaced by '***', in case a server quotes a request back.
    """
    if not isinstance(body, dict):
        return ""
    for key in ("errorMessage", "error_description", "error"):
        if body.get(key):
            message = str(body[key])
            for secret in secrets:
                message = message.replace(secret, "***")
            return f": {message}"
    return ""


# ------------------------------------------------------------------ steps


class Setup:
    """The setup steps. Each step appends one line to self.report and counts what it changed."""

    def __init__(self, client, args):
        self.client = client
        self.args = args
        self.report = []
        self.changes = 0
        self.token_rewritten = False

    def note(self, line, changed):
        self.report.append(line)
        if changed:
            self.changes += 1

    def check_realm(self):
        status, _, _ = self.client.call("GET", "", action=f"reading realm {self.args.realm!r}", handled=(404,))
        if status == 404:
            raise SetupError(f"realm {self.args.realm!r} not found at {self.client.base_url}")

    def check_provider(self):
        providers = self.client.get("/authentication/authenticator-providers", "listing the authenticators")
        if not any(provider.get("id") == PROVIDER_ID for provider in providers):
            raise SetupError(f"the provider {PROVIDER_ID} is not installed: copy the jar into providers/ "
                             "and run kc.sh build, then restart Keycloak")

    def check_config_alias_free(self):
        """Fail before any change when a step outside the flow already uses the config name sms-2fa.

        Keycloak rejects a second config of the same name in a realm, and finding that out only
        when creating the config would leave a half-configured flow behind.
        """
        flows = self.client.get("/authentication/flows", "listing the authentication flows")
        for flow in flows:
            if flow.get("alias") == self.args.flow_alias:
                continue
            for execution in self.flow_executions(flow["alias"]):
                if execution.get("alias") == CONFIG_ALIAS:
                    raise SetupError(
                        f"the config name {CONFIG_ALIAS!r} is already used by the step "
                        f"{execution.get('displayName')!r} in the flow {flow['alias']!r}, and Keycloak needs "
                        f"config names to be unique in a realm; run again with --flow-alias "
                        f"{flow['alias']!r} to update that flow, or delete that step's config")

    def ensure_flow(self):
        alias = self.args.flow_alias
        flows = self.client.get("/authentication/flows", "listing the authentication flows")
        existing = next((flow for flow in flows if flow.get("alias") == alias), None)
        if existing is not None:
            if existing.get("builtIn"):
                raise SetupError(f"the flow {alias!r} is built in and Keycloak does not let you extend it; "
                                 "choose another --flow-alias")
            self.note(f"flow {alias!r}: exists, already configured", changed=False)
            return
        status, body, _ = self.client.call(
            "POST", f"/authentication/flows/{quote(BUILT_IN_BROWSER_FLOW)}/copy", {"newName": alias},
            action=f"copying the flow {BUILT_IN_BROWSER_FLOW!r} to {alias!r}", handled=(404, 409))
        if status == 404:
            raise SetupError(f"realm {self.args.realm!r} has no flow {BUILT_IN_BROWSER_FLOW!r} to copy")
        if status == 409:
            raise SetupError(f"copying the flow {BUILT_IN_BROWSER_FLOW!r} to {alias!r} failed: a subflow with "
                             f"that name exists{self.client.error_detail(body)}; choose another --flow-alias")
        self.note(f"flow {alias!r}: copied from {BUILT_IN_BROWSER_FLOW!r}", changed=True)

    def find_second_factor_subflow(self):
        """Return the alias of the subflow of the flow that contains the OTP Form."""
        alias = self.args.flow_alias
        executions = self.flow_executions(alias)
        otp_positions = [i for i, execution in enumerate(executions)
                         if execution.get("providerId") == OTP_PROVIDER_ID]
        if not otp_positions:
            raise SetupError(f"the flow {alias!r} has no OTP Form ({OTP_PROVIDER_ID}), so the script cannot "
                             "tell where the second factor goes; add the SMS step by hand or choose a new "
                             "--flow-alias to start from a fresh copy of 'browser'")
        subflow = self.parent_flow_alias(executions, otp_positions[0])

        elsewhere = [self.parent_flow_alias(executions, i) for i, execution in enumerate(executions)
                     if execution.get("providerId") == PROVIDER_ID]
        elsewhere = [parent for parent in elsewhere if parent != subflow]
        if elsewhere:
            raise SetupError(f"the flow {alias!r} has the SMS step in {elsewhere[0]!r}, not beside the OTP "
                             f"Form in {subflow!r}; delete that step or move it there, then run again")
        return subflow

    def parent_flow_alias(self, executions, position):
        """Return the alias of the flow that directly contains executions[position].

        The executions endpoint lists a flow depth-first with a level per entry, so the parent is
        the nearest earlier subflow entry one level up, or the top-level flow at level 0.
        """
        level = executions[position]["level"]
        if level == 0:
            return self.args.flow_alias
        for candidate in reversed(executions[:position]):
            if candidate["level"] == level - 1 and candidate.get("authenticationFlow"):
                flow = self.client.get(f"/authentication/flows/{quote(candidate['flowId'])}",
                                       "reading a subflow")
                return flow["alias"]
        raise SetupError(f"the executions of the flow {self.args.flow_alias!r} are not nested as expected")

    def flow_executions(self, alias):
        return self.client.get(f"/authentication/flows/{quote(alias)}/executions",
                               f"listing the executions of the flow {alias!r}")

    def direct_children(self, subflow):
        return [execution for execution in self.flow_executions(subflow) if execution["level"] == 0]

    def set_requirement(self, subflow, execution, requirement, label):
        changed = dict(execution, requirement=requirement)
        self.client.call("PUT", f"/authentication/flows/{quote(subflow)}/executions", changed,
                         action=f"setting {label} to {requirement}")

    def ensure_otp_alternative(self, subflow):
        otp = self.find_child(subflow, OTP_PROVIDER_ID)
        if otp["requirement"] == ALTERNATIVE:
            self.note(f"OTP Form in {subflow!r}: ALTERNATIVE, already configured", changed=False)
            return
        self.set_requirement(subflow, otp, ALTERNATIVE, "the OTP Form")
        self.note(f"OTP Form in {subflow!r}: set from {otp['requirement']} to ALTERNATIVE", changed=True)

    def find_child(self, subflow, provider_id):
        return next((execution for execution in self.direct_children(subflow)
                     if execution.get("providerId") == provider_id), None)

    def ensure_sms_step(self, subflow):
        """Add the SMS step as ALTERNATIVE right after the OTP Form, and return its execution."""
        actions = []
        sms = self.find_child(subflow, PROVIDER_ID)
        if sms is None:
            self.client.call("POST", f"/authentication/flows/{quote(subflow)}/executions/execution",
                             {"provider": PROVIDER_ID}, action=f"adding the SMS step to {subflow!r}")
            sms = self.find_child(subflow, PROVIDER_ID)
            if sms is None:
                raise SetupError(f"the SMS step was added to {subflow!r} but is not listed there")
            actions.append("added")

        if sms["requirement"] != ALTERNATIVE:
            self.set_requirement(subflow, sms, ALTERNATIVE, "the SMS step")
            actions.append("set to ALTERNATIVE")

        if self.move_after_otp(subflow, sms["id"]):
            actions.append("moved right after the OTP Form")

        if actions:
            self.note(f"SMS step in {subflow!r}: {', '.join(actions)}", changed=True)
        else:
            self.note(f"SMS step in {subflow!r}: ALTERNATIVE after the OTP Form, already configured",
                      changed=False)
        return self.find_child(subflow, PROVIDER_ID)

    def move_after_otp(self, subflow, sms_id):
        """Raise or lower the SMS step until it directly follows the OTP Form. Return whether it moved."""
        moved = False
        children = self.direct_children(subflow)
        # Each move shifts the step by one place, so more moves than children means it is stuck.
        for _ in range(len(children) + 1):
            ids = [child["id"] for child in children]
            providers = [child.get("providerId") for child in children]
            sms_index = ids.index(sms_id)
            target_index = providers.index(OTP_PROVIDER_ID) + 1
            if sms_index == target_index:
                return moved
            direction = "raise-priority" if sms_index > target_index else "lower-priority"
            self.client.call("POST", f"/authentication/executions/{quote(sms_id)}/{direction}",
                             action="moving the SMS step next to the OTP Form")
            moved = True
            children = self.direct_children(subflow)
        raise SetupError(f"the SMS step in {subflow!r} could not be moved right after the OTP Form")

    def expected_settings(self, current):
        expected = dict(current)
        expected.update(MANUAL_SETTINGS)
        expected["apiurl"] = self.args.sms_url
        expected["apitoken"] = self.args.token
        if self.args.ca_file is not None:
            expected["tlsCaFile"] = self.args.ca_file
        return expected

    def ensure_config(self, sms):
        config_id = sms.get("authenticationConfig")
        if not config_id:
            expected = self.expected_settings({})
            status, body, _ = self.client.call(
                "POST", f"/authentication/executions/{quote(sms['id'])}/config",
                {"alias": CONFIG_ALIAS, "config": expected}, action=f"creating the config {CONFIG_ALIAS!r}",
                handled=(409,))
            self.raise_on_alias_conflict(status, body)
            self.note(f"config {CONFIG_ALIAS!r}: created with {', '.join(sorted(expected))}", changed=True)
            return

        current = self.client.get(f"/authentication/config/{quote(config_id)}", "reading the SMS step's config")
        current_settings = current.get("config") or {}
        expected = self.expected_settings(current_settings)
        # Keycloak returns a stored secret as a mask, so a stored token cannot be compared. The
        # token is then written on every run, which also lets a rerun rotate it.
        token_hidden = current_settings.get("apitoken") == SECRET_MASK
        changed_keys = sorted(key for key in expected
                              if current_settings.get(key) != expected[key]
                              and not (key == "apitoken" and token_hidden))
        if current.get("alias") != CONFIG_ALIAS:
            changed_keys.insert(0, f"alias (was {current.get('alias')!r})")
        if not changed_keys and not token_hidden:
            self.note(f"config {CONFIG_ALIAS!r}: already configured", changed=False)
            return

        status, body, _ = self.client.call(
            "PUT", f"/authentication/config/{quote(config_id)}",
            {"id": config_id, "alias": CONFIG_ALIAS, "config": expected},
            action=f"updating the config {CONFIG_ALIAS!r}", handled=(409,))
        self.raise_on_alias_conflict(status, body)
        token_note = "; API token written again, because Keycloak does not show a stored one to compare"
        self.token_rewritten = token_hidden
        if not changed_keys:
            self.note(f"config {CONFIG_ALIAS!r}: already configured{token_note}", changed=False)
            return
        # Only key names are listed, because the value of apitoken is a secret.
        self.note(f"config {CONFIG_ALIAS!r}: updated {', '.join(changed_keys)}"
                  f"{token_note if token_hidden else ''}", changed=True)

    def raise_on_alias_conflict(self, status, body):
        if status == 409:
            raise SetupError(f"another step in realm {self.args.realm!r} already has a config named "
                             f"{CONFIG_ALIAS!r}{self.client.error_detail(body)}; Keycloak needs config names "
                             "to be unique in a realm, so delete that config and run again")

    def ensure_enrolment(self):
        registered = self.client.get("/authentication/required-actions", "listing the required actions")
        action = next((item for item in registered if item.get("alias") == ENROLMENT_ACTION), None)
        done = []
        if action is None:
            unregistered = self.client.get("/authentication/unregistered-required-actions",
                                           "listing the unregistered required actions")
            candidate = next((item for item in unregistered if item.get("providerId") == ENROLMENT_ACTION), None)
            if candidate is None:
                self.note(f"phone number enrolment: Keycloak offers no required action {ENROLMENT_ACTION!r}, "
                          "so the provider jar in providers/ is missing or older than this command; users "
                          "cannot add a number until it is installed and kc.sh build has run", changed=False)
                return
            self.client.call("POST", "/authentication/register-required-action",
                             {"providerId": candidate["providerId"], "name": candidate.get("name", ENROLMENT_ACTION)},
                             action=f"registering the required action {ENROLMENT_ACTION!r}")
            action = self.client.get(f"/authentication/required-actions/{quote(ENROLMENT_ACTION)}",
                                     f"reading the required action {ENROLMENT_ACTION!r}")
            done.append("registered")

        if not action.get("enabled"):
            self.client.call("PUT", f"/authentication/required-actions/{quote(ENROLMENT_ACTION)}",
                             dict(action, enabled=True),
                             action=f"enabling the required action {ENROLMENT_ACTION!r}")
            done.append("enabled")

        if done:
            self.note(f"phone number enrolment: required action {ENROLMENT_ACTION!r} {' and '.join(done)}",
                      changed=True)
        else:
            self.note(f"phone number enrolment: required action {ENROLMENT_ACTION!r} enabled, already configured",
                      changed=False)

    def ensure_binding(self):
        alias = self.args.flow_alias
        realm = self.client.get("", f"reading realm {self.args.realm!r}")
        current = realm.get("browserFlow")
        if not self.args.bind:
            self.note(f"browser flow: not bound (--no-bind), the realm uses {current!r}", changed=False)
            return
        if current == alias:
            self.note(f"browser flow: {alias!r}, already configured", changed=False)
            return
        self.client.call("PUT", "", {"browserFlow": alias}, action=f"binding {alias!r} as the browser flow")
        self.note(f"browser flow: bound {alias!r} (was {current!r})", changed=True)

    def run(self):
        self.client.log_in()
        self.check_realm()
        self.check_provider()
        self.check_config_alias_free()
        self.ensure_flow()
        subflow = self.find_second_factor_subflow()
        self.ensure_otp_alternative(subflow)
        sms = self.ensure_sms_step(subflow)
        self.ensure_config(sms)
        self.ensure_enrolment()
        self.ensure_binding()


# ------------------------------------------------------------------ main


def main(argv=None):
    args = parse_args(argv)
    if urllib.parse.urlsplit(args.sms_url).scheme == "http":
        print("warning: --sms-url uses plain HTTP, so the API token crosses the network unencrypted",
              file=sys.stderr)

    setup = Setup(AdminClient(args), args)
    print(f"Setting up SMS codes in realm {args.realm!r} at {args.keycloak_url}")
    try:
        setup.run()
    except SetupError as error:
        for line in setup.report:
            print(f"  {line}")
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILURE

    for line in setup.report:
        print(f"  {line}")
    if setup.changes:
        print(f"Done: {setup.changes} change(s) made.")
    elif setup.token_rewritten:
        print("Done: everything was already configured; only the API token was written again.")
    else:
        print("Done: everything was already configured, nothing changed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
