// End-to-end test of scripts/setup-realm.py against the running Keycloak. The script configures a
// fresh realm, a second run changes nothing, and a third run repairs changed settings. A user of
// the realm then logs in with an SMS code sent through the stand-in's HTTPS API.
// scripts/e2e.sh sets RUN_DIR (the stand-in's CA is RUN_DIR/standin-certs/ca.pem) and
// STANDIN_HTTPS_URL besides the variables that helpers.mjs reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KEYCLOAK_URL,
  keycloakAdminRequest,
  STANDIN_TOKEN,
  TEST_TIMEOUT_MS,
  launchBrowser,
  openPage,
  receivedMessages,
  codeFromText,
  screenshot,
} from './helpers.mjs';

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = resolve(REPOSITORY, 'scripts/setup-realm.py');
const RUN_DIR = resolve(process.env.RUN_DIR ?? resolve(REPOSITORY, '.run'));
const STANDIN_CA_FILE = resolve(RUN_DIR, 'standin-certs/ca.pem');
const STANDIN_HTTPS_URL = process.env.STANDIN_HTTPS_URL ?? 'https://127.0.0.1:8443';
const SMS_URL = `${STANDIN_HTTPS_URL}/api/v2/messages/sms_single`;
const ADMIN_USER = process.env.ADMIN_USER ?? 'admin';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin';

const REALM = `setup-e2e-${Date.now()}-${randomInt(0, 1_000_000)}`;
const FLOW = 'browser-sms';
const ACCOUNT_URL = `${KEYCLOAK_URL}/realms/${REALM}/account`;
// Placeholder that the admin REST API returns in place of a stored secret such as apitoken.
const SECRET_MASK = '**********';

// The execution config that SMSEagle's Keycloak manual gives, with the stand-in's URL and CA.
const MANUAL_CONFIG = {
  apiurl: SMS_URL,
  urlencode: 'false',
  apitokenattribute: 'access_token',
  apitoken: SECRET_MASK,
  messageattribute: 'text',
  receiverattribute: 'to',
  senderattribute: 'from',
  forceSecondFactor: 'false',
  tlsCaFile: STANDIN_CA_FILE,
};

const user = {
  username: 'setup-user',
  password: `pw-${randomInt(0, 1_000_000_000)}`,
  phone: `+48502${String(randomInt(0, 1_000_000)).padStart(6, '0')}`,
};

let browser;
let realmCreated = false;

// ------------------------------------------------------------------ admin REST API of the test realm

function realmRequest(method, path, body) {
  return keycloakAdminRequest(method, `/${encodeURIComponent(REALM)}${path}`, body);
}

function flowExecutions(alias) {
  return realmRequest('GET', `/authentication/flows/${encodeURIComponent(alias)}/executions`);
}

// Returns what the setup is expected to leave unchanged on a second run: the flow's executions
// (ids, requirements, order), the SMS step's config and the realm's browser flow.
async function realmSnapshot() {
  const executions = await flowExecutions(FLOW);
  const sms = executions.find((execution) => execution.providerId === 'sms-2fa');
  const config = sms?.authenticationConfig
    ? await realmRequest('GET', `/authentication/config/${sms.authenticationConfig}`)
    : null;
  const realm = await realmRequest('GET', '');
  const flows = await realmRequest('GET', '/authentication/flows');
  return {
    executions,
    config,
    browserFlow: realm.browserFlow,
    flowAliases: flows.map((flow) => flow.alias).sort(),
  };
}

// ------------------------------------------------------------------ the script

// Runs setup-realm.py against the test realm with EXTRA_ARGS. Secrets go through the environment,
// as the script's help recommends. Returns { code, stdout, stderr } and never throws on exit codes.
function runSetup(extraArgs = []) {
  const args = [
    SCRIPT,
    '--keycloak-url', KEYCLOAK_URL,
    '--realm', REALM,
    '--sms-url', SMS_URL,
    '--ca-file', STANDIN_CA_FILE,
    ...extraArgs,
  ];
  const env = {
    ...process.env,
    KEYCLOAK_ADMIN_USER: ADMIN_USER,
    KEYCLOAK_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SMS_API_TOKEN: STANDIN_TOKEN,
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn('python3', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

// Fails unless the run exited with 0, showing its output.
function assertSucceeded(run, label) {
  assert.equal(run.code, 0, `${label} exited with ${run.code}:\n${run.stdout}${run.stderr}`);
  assert.ok(!run.stdout.includes(STANDIN_TOKEN), `${label} printed the API token`);
  assert.ok(!run.stderr.includes(STANDIN_TOKEN), `${label} printed the API token to stderr`);
}

// ------------------------------------------------------------------ expected layout

// Checks the layout of demo/realm-demo.json: the OTP Form and the SMS step both ALTERNATIVE, the
// SMS step right after the OTP Form in the conditional 2FA subflow, the manual's config, and the
// flow bound as the browser flow.
async function assertConfiguredRealm() {
  const flows = await realmRequest('GET', '/authentication/flows');
  const flow = flows.find((candidate) => candidate.alias === FLOW);
  assert.ok(flow, `the realm has no flow ${FLOW}`);
  assert.equal(flow.topLevel, true);
  assert.equal(flow.builtIn, false);

  const executions = await flowExecutions(FLOW);
  const otpIndex = executions.findIndex((execution) => execution.providerId === 'auth-otp-form');
  const smsIndexes = executions
    .map((execution, index) => (execution.providerId === 'sms-2fa' ? index : -1))
    .filter((index) => index >= 0);
  assert.ok(otpIndex >= 0, `the flow ${FLOW} has no OTP Form`);
  assert.deepEqual(smsIndexes, [otpIndex + 1], 'the SMS step is not the one entry right after the OTP Form');

  const otp = executions[otpIndex];
  const sms = executions[otpIndex + 1];
  assert.equal(otp.requirement, 'ALTERNATIVE', 'the OTP Form is not ALTERNATIVE');
  assert.equal(sms.requirement, 'ALTERNATIVE', 'the SMS step is not ALTERNATIVE');
  // Adjacent leaves on the same level of the depth-first listing belong to the same subflow.
  assert.equal(sms.level, otp.level, 'the SMS step and the OTP Form are in different subflows');

  const parent = executions
    .slice(0, otpIndex)
    .reverse()
    .find((execution) => execution.level === otp.level - 1 && execution.authenticationFlow);
  assert.ok(parent, 'the OTP Form is not inside a subflow');
  assert.match(parent.displayName, /Conditional 2FA/, 'the OTP Form is not in the conditional 2FA subflow');
  assert.equal(parent.requirement, 'CONDITIONAL');

  assert.ok(sms.authenticationConfig, 'the SMS step has no config');
  const config = await realmRequest('GET', `/authentication/config/${sms.authenticationConfig}`);
  assert.equal(config.alias, 'sms-2fa');
  for (const [key, value] of Object.entries(MANUAL_CONFIG)) {
    assert.equal(config.config[key], value, `config key ${key}`);
  }

  const realm = await realmRequest('GET', '');
  assert.equal(realm.browserFlow, FLOW, 'the flow is not bound as the browser flow');
  return { sms, config };
}

// ------------------------------------------------------------------ tests

before(async () => {
  // The SMS text contains the realm's display name, so it has no digits that could pass for a code.
  await keycloakAdminRequest('POST', '', { realm: REALM, displayName: 'Setup script test', enabled: true });
  realmCreated = true;
  await realmRequest('POST', '/users', {
    username: user.username,
    enabled: true,
    email: `${user.username}@example.org`,
    emailVerified: true,
    firstName: 'Setup',
    lastName: 'User',
    credentials: [
      { type: 'password', value: user.password, temporary: false },
      {
        type: 'sms-phone-number',
        userLabel: 'test phone',
        credentialData: JSON.stringify({ phoneNumber: user.phone }),
        secretData: '{}',
      },
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (realmCreated) {
    await keycloakAdminRequest('DELETE', `/${encodeURIComponent(REALM)}`);
  }
});

test('first run configures the realm', { timeout: TEST_TIMEOUT_MS }, async () => {
  const run = await runSetup();
  assertSucceeded(run, 'the first run');
  assert.match(run.stdout, /flow 'browser-sms': copied from 'browser'/);
  assert.match(run.stdout, /SMS step in '[^']*Conditional 2FA': added, set to ALTERNATIVE, moved right after the OTP Form/);
  assert.match(run.stdout, /config 'sms-2fa': created/);
  assert.match(run.stdout, /phone number enrolment: /);
  assert.match(run.stdout, /browser flow: bound 'browser-sms' \(was 'browser'\)/);
  assert.match(run.stdout, /Done: \d+ change\(s\) made\./);

  await assertConfiguredRealm();
});

test('second run changes nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
  const snapshot = await realmSnapshot();
  const run = await runSetup();
  assertSucceeded(run, 'the second run');
  assert.deepEqual(await realmSnapshot(), snapshot, 'the second run changed the realm');

  assert.match(run.stdout, /flow 'browser-sms': exists, already configured/);
  assert.match(run.stdout, /OTP Form in '[^']*': ALTERNATIVE, already configured/);
  assert.match(run.stdout, /SMS step in '[^']*': ALTERNATIVE after the OTP Form, already configured/);
  assert.match(run.stdout, /config 'sms-2fa': already configured/);
  assert.match(run.stdout, /browser flow: 'browser-sms', already configured/);
  assert.match(run.stdout, /Done: everything was already configured/);
  assert.doesNotMatch(run.stdout, /copied|added|created|updated|moved|bound '/);
});

test('third run repairs changed settings', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { sms, config } = await assertConfiguredRealm();
  const subflow = (await flowExecutions(FLOW)).find((execution) => execution.flowId && /Conditional 2FA/.test(execution.displayName));
  assert.ok(subflow, 'the conditional 2FA subflow was not found');

  // An admin changes the URL, disables the SMS step, moves it one place down and binds another flow.
  await realmRequest('PUT', `/authentication/config/${config.id}`, {
    ...config,
    config: { ...config.config, apiurl: `${STANDIN_HTTPS_URL}/wrong/path`, ttl: '600' },
  });
  await realmRequest('PUT', `/authentication/flows/${encodeURIComponent(FLOW)}/executions`, {
    ...sms,
    requirement: 'DISABLED',
  });
  await realmRequest('POST', `/authentication/executions/${sms.id}/lower-priority`);
  await realmRequest('PUT', '', { browserFlow: 'browser' });

  const run = await runSetup();
  assertSucceeded(run, 'the repairing run');
  assert.match(run.stdout, /SMS step in '[^']*': set to ALTERNATIVE, moved right after the OTP Form/);
  assert.match(run.stdout, /config 'sms-2fa': updated apiurl\b/);
  assert.match(run.stdout, /browser flow: bound 'browser-sms' \(was 'browser'\)/);

  const repaired = await assertConfiguredRealm();
  assert.equal(repaired.sms.id, sms.id, 'the run replaced the SMS step instead of repairing it');
  assert.equal(repaired.config.config.ttl, '600', 'the run dropped a setting outside the manual');
});

test('user logs in with an SMS code', { timeout: TEST_TIMEOUT_MS }, async () => {
  await assertConfiguredRealm();
  const { context, page, serverErrors } = await openPage(browser);
  try {
    await page.goto(ACCOUNT_URL);
    await page.fill('#username', user.username);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
    await page.waitForSelector('#sms-masked-phone');
    await page.waitForSelector('#code');

    const maskedPhone = (await page.textContent('#sms-masked-phone'))?.trim();
    assert.equal(maskedPhone, `${user.phone.slice(0, 3)}******${user.phone.slice(-3)}`);
    const messages = await receivedMessages(user.phone);
    assert.equal(messages.length, 1, `expected one SMS to the user, got ${messages.length}`);
    assert.equal(messages[0].path, '/api/v2/messages/sms_single');
    const code = codeFromText(messages[0].text);

    await page.fill('#code', code);
    await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
    await page.waitForURL((url) => url.href.startsWith(ACCOUNT_URL) && !url.href.includes('login-actions'));
    const cookies = await context.cookies(ACCOUNT_URL);
    assert.ok(
      cookies.some((cookie) => cookie.name === 'KEYCLOAK_IDENTITY'),
      'no Keycloak login session after the right code',
    );
    assert.deepEqual(serverErrors, []);
  } catch (error) {
    await screenshot(page, 'setup-realm-login-failure');
    throw error;
  } finally {
    await context.close();
  }
});
