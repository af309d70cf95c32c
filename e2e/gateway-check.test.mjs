// The administrator's gateway check, POST /admin/realms/demo/sms-2fa/gateway-check, against the
// running stand-in: each report names the problem, a check without send=true stores no SMS, and
// only a realm administrator may run it. REST only, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  DEMO_USER,
  KEYCLOAK_LOG,
  KEYCLOAK_URL,
  REALM,
  STANDIN_SMS_ONLY_TOKEN,
  TEST_TIMEOUT_MS,
  adminToken,
  clearFault,
  clearMessages,
  closedLoopbackPort,
  createSmsUser,
  deleteUser,
  receivedMessages,
  setFault,
  setModemEnabled,
  withApiSecret,
  withSmsConfig,
} from './helpers.mjs';

const CHECK_URL = `${KEYCLOAK_URL}/admin/realms/${REALM}/sms-2fa/gateway-check`;
const MASKED_DEMO_PHONE = '+48******200';

// Sends the check request with BODY and returns { status, body }. TOKEN defaults to the master
// realm admin's.
async function runCheck(body, token) {
  const response = await fetch(CHECK_URL, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token ?? (await adminToken())}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

// Runs the check, expects 200 and returns the report.
async function report(body) {
  const { status, text, body: parsed } = await runCheck(body);
  assert.equal(status, 200, `the gateway check failed with ${status}: ${text}`);
  return parsed;
}

// Returns the check named NAME of REPORT, failing when there is none.
function check(reportBody, name) {
  const found = reportBody.checks.find((candidate) => candidate.name === name);
  assert.ok(found, `the report has no ${name} check: ${JSON.stringify(reportBody)}`);
  return found;
}

function assertNoSecrets(reportBody) {
  const text = JSON.stringify(reportBody);
  assert.ok(!text.includes(DEMO_USER.phone.slice(3)), `the report contains the full number: ${text}`);
  assert.ok(!text.includes('demo-token'), `the report contains the token: ${text}`);
}

test('gateway check: all ok without sending', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  const body = await report({ phoneNumber: DEMO_USER.phone });

  assert.equal(body.ok, true, JSON.stringify(body));
  assert.equal(body.gatewayType, 'smseagle');
  assert.equal(body.deviceUrl, process.env.STANDIN_HTTPS_URL ?? 'https://127.0.0.1:8443');
  assert.equal(body.maskedPhone, MASKED_DEMO_PHONE);
  assert.ok(body.executionId, 'the report names the execution');
  assert.deepEqual(body.warnings, []);
  for (const name of ['connection', 'token', 'send', 'modem']) {
    assert.equal(check(body, name).result, 'ok', `${name}: ${JSON.stringify(check(body, name))}`);
  }
  assert.match(check(body, 'send').message, /test mode/);
  assert.equal(body.messageId, undefined);
  assert.equal((await receivedMessages()).length, 0, 'a check without send stored an SMS');
  assertNoSecrets(body);
});

test('gateway check: send skipped without a number', { timeout: TEST_TIMEOUT_MS }, async () => {
  const body = await report({});
  assert.equal(body.ok, true, JSON.stringify(body));
  const send = check(body, 'send');
  assert.equal(send.result, 'skipped');
  assert.match(send.message, /phone number/);
});

test('gateway check: real test SMS on request', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  try {
    const body = await report({ phoneNumber: DEMO_USER.phone, send: true });

    assert.equal(body.ok, true, JSON.stringify(body));
    const messages = await receivedMessages(DEMO_USER.phone);
    assert.equal(messages.length, 1, 'expected one test SMS');
    assert.equal(body.messageId, String(messages[0].id));
    assert.match(messages[0].text, /test message/i);
    assertNoSecrets(body);
  } finally {
    await clearMessages();
  }
});

test('gateway check: wrong token', { timeout: TEST_TIMEOUT_MS }, async () => {
  const body = await withApiSecret('wrong-token', () => report({ phoneNumber: DEMO_USER.phone }));

  assert.equal(body.ok, false);
  const token = check(body, 'token');
  assert.equal(token.result, 'failed');
  assert.equal(token.problem, 'wrong_token');
  assert.equal(token.httpStatus, 401);
  assert.match(token.message, /apitoken/);
  assert.equal(check(body, 'send').result, 'skipped');
  assert.equal(check(body, 'modem').result, 'skipped');
  assert.ok(!JSON.stringify(body).includes('wrong-token'), 'the report contains the token');
});

test('gateway check: token without the send permission', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  const body = await withApiSecret(STANDIN_SMS_ONLY_TOKEN, () =>
    report({ phoneNumber: DEMO_USER.phone }),
  );

  assert.equal(body.ok, false);
  const token = check(body, 'token');
  assert.equal(token.result, 'ok', 'a 403 on the version route proves a valid token');
  assert.equal(token.httpStatus, 403);
  const send = check(body, 'send');
  assert.equal(send.result, 'failed');
  assert.equal(send.problem, 'missing_permission');
  assert.equal(send.httpStatus, 403);
  assert.match(send.message, /Send SMS \(single recipient\)/);
  const modem = check(body, 'modem');
  assert.equal(modem.result, 'warning');
  assert.equal(modem.problem, 'missing_permission');
  assert.equal((await receivedMessages()).length, 0);
});

test('gateway check: untrusted TLS certificate', { timeout: TEST_TIMEOUT_MS }, async () => {
  const body = await withSmsConfig({ tlsCaFile: '' }, () => report({ phoneNumber: DEMO_USER.phone }));

  assert.equal(body.ok, false);
  const connection = check(body, 'connection');
  assert.equal(connection.result, 'failed');
  assert.equal(connection.problem, 'tls_untrusted');
  assert.match(connection.message, /tlsCaFile/);
  for (const name of ['token', 'send', 'modem']) {
    assert.equal(check(body, name).result, 'skipped', name);
  }
});

test('gateway check: unreachable device', { timeout: TEST_TIMEOUT_MS }, async () => {
  const port = await closedLoopbackPort();
  const body = await withSmsConfig({}, async (config) => {
    const url = new URL(config.apiurl);
    url.port = String(port);
    return withSmsConfig({ apiurl: url.href }, () => report({}));
  });

  assert.equal(body.ok, false);
  const connection = check(body, 'connection');
  assert.equal(connection.problem, 'unreachable');
  assert.match(connection.message, /refused/);
});

test('gateway check: send times out', { timeout: TEST_TIMEOUT_MS }, async () => {
  await setFault('hang', { count: 1 });
  try {
    const body = await withSmsConfig({ connectTimeoutMs: '500', requestTimeoutMs: '1000' }, () =>
      report({ phoneNumber: DEMO_USER.phone }),
    );
    assert.equal(body.ok, false);
    assert.equal(check(body, 'token').result, 'ok');
    const send = check(body, 'send');
    assert.equal(send.problem, 'timeout');
    assert.match(send.message, /requestTimeoutMs/);
  } finally {
    await clearFault();
  }
});

test('gateway check: modem down', { timeout: TEST_TIMEOUT_MS }, async () => {
  await setModemEnabled(false);
  try {
    const body = await report({});
    assert.equal(body.ok, false);
    const modem = check(body, 'modem');
    assert.equal(modem.result, 'failed');
    assert.equal(modem.problem, 'modem_down');
    assert.match(modem.message, /modemNo/);
  } finally {
    await setModemEnabled(true);
  }
});

test('gateway check: invalid config names the field', { timeout: TEST_TIMEOUT_MS }, async () => {
  const body = await withSmsConfig({ apiurl: 'ftp://127.0.0.1/sms' }, () => report({}));

  assert.equal(body.ok, false);
  assert.equal(body.checks.length, 1, JSON.stringify(body));
  const config = check(body, 'config');
  assert.equal(config.result, 'failed');
  assert.equal(config.problem, 'invalid_config');
  assert.equal(config.field, 'apiurl');
});

test('gateway check: invalid requests get 400 and 404', { timeout: TEST_TIMEOUT_MS }, async () => {
  const invalidNumber = await runCheck({ phoneNumber: '12' });
  assert.equal(invalidNumber.status, 400, invalidNumber.text);
  assert.match(invalidNumber.body.errorMessage, /phoneNumber/);

  const sendWithoutNumber = await runCheck({ send: true });
  assert.equal(sendWithoutNumber.status, 400, sendWithoutNumber.text);

  const unknownExecution = await runCheck({ executionId: 'no-such-execution' });
  assert.equal(unknownExecution.status, 404, unknownExecution.text);
});

test('gateway check: log line with masked number', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.ok(KEYCLOAK_LOG, 'scripts/e2e.sh sets KEYCLOAK_LOG');
  await report({ phoneNumber: DEMO_USER.phone });
  const log = await readFile(KEYCLOAK_LOG, 'utf8');
  const lines = log.split('\n').filter((line) => line.includes("Gateway check of the SMS authenticator in realm 'demo'"));
  assert.ok(lines.length > 0, 'no log line of the gateway check');
  assert.ok(lines.some((line) => line.includes(MASKED_DEMO_PHONE)), lines.join('\n'));
  assert.ok(lines.every((line) => !line.includes(DEMO_USER.phone)), 'a log line contains the full number');
});

test('gateway check: realm user without admin rights gets 403', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createSmsUser('no-admin');
  try {
    const tokenResponse = await fetch(`${KEYCLOAK_URL}/realms/${REALM}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'admin-cli',
        username: user.username,
        password: user.password,
      }),
    });
    const tokenText = await tokenResponse.text();
    assert.equal(tokenResponse.status, 200, `the user's token request failed: ${tokenText}`);

    const result = await runCheck({}, JSON.parse(tokenText).access_token);
    assert.equal(result.status, 403, result.text);
  } finally {
    await deleteUser(user);
  }
});
