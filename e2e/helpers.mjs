// Shared helpers of the end-to-end tests: the browser, the stand-in's inspection endpoints, the
// Keycloak admin REST API and the steps of an SMS login. scripts/e2e.sh starts the stack and sets
// KEYCLOAK_URL, STANDIN_URL, KEYCLOAK_LOG and SCREENSHOT_DIR.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

export const KEYCLOAK_URL = process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8080';
export const STANDIN_URL = process.env.STANDIN_URL ?? 'http://127.0.0.1:8025';
export const KEYCLOAK_LOG = process.env.KEYCLOAK_LOG;
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? '../.run/screenshots';
// scripts/common.sh creates the master realm's admin with these defaults.
const ADMIN_USER = process.env.ADMIN_USER ?? 'admin';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin';

export const REALM = 'demo';
export const ACCOUNT_URL = `${KEYCLOAK_URL}/realms/${REALM}/account`;
const BROWSER_FLOW = 'browser-sms';
const SMS_PROVIDER_ID = 'sms-2fa';

// The demo user of demo/realm-demo.json and the API token that scripts/stack.sh gives the stand-in.
export const DEMO_USER = { username: 'demo', password: 'demo', phone: '+48500100200' };
export const STANDIN_TOKEN = 'demo-token';
// The demo realm's API secret: a reference to the file vault, which scripts/stack.sh fills with
// STANDIN_TOKEN. The admin REST API shows it masked, so tests that change it write this back.
export const DEMO_API_SECRET = '${vault.smseagle_token}';
// The stand-in's second token, which may use POST /messages/sms only (see scripts/common.sh).
export const STANDIN_SMS_ONLY_TOKEN = 'sms-only-token';

// Waits for pages and selectors. Generous, because Keycloak on a busy two-core machine can take
// several seconds per page; no test asserts on how long anything takes.
export const PAGE_TIMEOUT_MS = 60_000;
// Time limit of one test, so that a hung page fails the test instead of the whole run.
export const TEST_TIMEOUT_MS = 600_000;

// Realm setting for tests that enter several wrong codes in a row. Keycloak's brute-force detection
// locks a user for minimumQuickLoginWaitSeconds (60 s) when two failures come less than
// quickLoginCheckMilliSeconds (default 1000) apart, and a test types faster than that.
export const NO_QUICK_LOGIN_CHECK = { quickLoginCheckMilliSeconds: 1 };

// ------------------------------------------------------------------ browser

// Starts Debian's Chromium headless, without any traffic to the internet.
export async function launchBrowser() {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Opens a new browser context and page. serverErrors collects every response with status 500 or
// more that the page received, as "STATUS METHOD URL" strings without the query.
export async function openPage(browser) {
  const context = await browser.newContext();
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  const page = await context.newPage();
  const serverErrors = [];
  page.on('response', (response) => {
    if (response.status() >= 500) {
      serverErrors.push(`${response.status()} ${response.request().method()} ${withoutQuery(response.url())}`);
    }
  });
  return { context, page, serverErrors };
}

function withoutQuery(url) {
  return url.split('?')[0];
}

export async function screenshot(page, name) {
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
}

// ------------------------------------------------------------------ stand-in

// Returns the SMS the stand-in received, optionally only those to PHONE.
export async function receivedMessages(phone) {
  const response = await fetch(`${STANDIN_URL}/_standin/messages`);
  assert.equal(response.status, 200, 'the stand-in inspection endpoint failed');
  const messages = await response.json();
  return phone === undefined ? messages : messages.filter((message) => message.to === phone);
}

export async function clearMessages() {
  const response = await fetch(`${STANDIN_URL}/_standin/messages`, { method: 'DELETE' });
  assert.ok(response.ok, 'clearing the stand-in messages failed');
}

// Sets the stand-in's fault on the send routes. count limits it to the next COUNT send requests.
export async function setFault(mode, { count, delayMs } = {}) {
  const body = { mode };
  if (count !== undefined) body.count = count;
  if (delayMs !== undefined) body.delay_ms = delayMs;
  const response = await fetch(`${STANDIN_URL}/_standin/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `setting the stand-in fault ${mode} failed: ${text}`);
}

export async function clearFault() {
  await setFault('none');
}

// Makes the stand-in report every modem as enabled or disabled in GET /modem/status/{n}.
export async function setModemEnabled(enabled) {
  const response = await fetch(`${STANDIN_URL}/_standin/modem`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ enabled }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `switching the stand-in modem failed: ${text}`);
}

// Returns the code of a received SMS: the first run of exactly LENGTH digits.
export function codeFromText(text, length = 6) {
  const match = new RegExp(`(?<!\\d)(\\d{${length}})(?!\\d)`).exec(text);
  assert.ok(match, `the SMS text contains no ${length}-digit code`);
  return match[1];
}

// Returns the code of the only SMS to PHONE, after checking there is exactly one.
export async function onlyCodeSentTo(phone) {
  const messages = await receivedMessages(phone);
  assert.equal(messages.length, 1, `expected exactly one SMS to the user, got ${messages.length}`);
  return codeFromText(messages[0].text);
}

// Returns a code of the same length that differs from CODE. Different values of VARIANT give
// different wrong codes, so a test can enter several distinct wrong codes.
export function wrongCodeFor(code, variant = 0) {
  const modulus = 10 ** code.length;
  const wrong = (Number(code) + 1 + variant) % modulus;
  assert.notEqual(wrong, Number(code), 'variant must be less than 10^length - 1');
  return String(wrong).padStart(code.length, '0');
}

// Returns a loopback port that nothing listens on: the port of a listener that was just closed.
export async function closedLoopbackPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ------------------------------------------------------------------ Keycloak admin REST API

let cachedToken = null;

// Returns an access token of the master realm's admin, from the admin-cli client. Tokens live
// 60 s by default, so a token older than 30 s is replaced.
export async function adminToken() {
  if (cachedToken && Date.now() - cachedToken.fetchedAt < 30_000) {
    return cachedToken.value;
  }
  const response = await fetch(`${KEYCLOAK_URL}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: ADMIN_USER,
      password: ADMIN_PASSWORD,
    }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `the admin token request failed: ${text}`);
  cachedToken = { value: JSON.parse(text).access_token, fetchedAt: Date.now() };
  return cachedToken.value;
}

// Sends a request to Keycloak's admin REST API at /admin/realms + PATH and returns the parsed
// JSON body, or null when there is none. Fails the test on any status other than 2xx.
export async function keycloakAdminRequest(method, path, body) {
  const headers = { Authorization: `Bearer ${await adminToken()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${KEYCLOAK_URL}/admin/realms${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `admin request ${method} ${path} failed with ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

// Sends a request to the demo realm's admin REST API at PATH, as keycloakAdminRequest does.
export async function adminRequest(method, path, body) {
  return keycloakAdminRequest(method, `/${REALM}${path}`, body);
}

// Returns a new phone number in E.164 for a test user, a Polish mobile number that differs from
// the demo user's.
function newPhoneNumber() {
  return `+48501${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

// Creates an enabled user with a password and an sms-phone-number credential, and with a TOTP
// credential when withOtp is true, so the login offers "Try another way". Returns
// { id, username, password, phone }.
export async function createSmsUser(name, { withOtp = false } = {}) {
  return createUser(name, { withOtp });
}

// Creates an enabled user with a password. SMS is 'credential' (an sms-phone-number credential),
// 'legacy' (a netzbegruenung mobile-number credential with the number under LEGACY_KEY) or
// 'none'. ATTRIBUTES, REQUIRED_ACTIONS and REALM_ROLES are set as given. Returns
// { id, username, password, phone }, where phone is the number stored or null.
export async function createUser(name, {
  sms = 'credential', withOtp = false, legacyKey = 'mobileNumber', attributes = {}, requiredActions = [],
  realmRoles = [],
} = {}) {
  const username = `e2e-${name}-${Date.now()}-${randomInt(0, 1_000_000)}`;
  const password = `pw-${randomInt(0, 1_000_000_000)}`;
  const phone = sms === 'none' ? null : newPhoneNumber();
  const credentials = [{ type: 'password', value: password, temporary: false }];
  if (sms === 'credential') {
    credentials.push({
      type: 'sms-phone-number',
      userLabel: 'test phone',
      credentialData: JSON.stringify({ phoneNumber: phone }),
      secretData: '{}',
    });
  } else if (sms === 'legacy') {
    credentials.push({
      type: 'mobile-number',
      credentialData: JSON.stringify({ [legacyKey]: phone }),
    });
  }
  if (withOtp) {
    credentials.push({
      type: 'otp',
      userLabel: 'test authenticator',
      credentialData: JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' }),
      secretData: JSON.stringify({ value: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }),
    });
  }
  await adminRequest('POST', '/users', {
    username,
    enabled: true,
    email: `${username}@example.org`,
    emailVerified: true,
    firstName: 'Test',
    lastName: name,
    credentials,
    attributes,
    requiredActions,
  });
  const [user] = await adminRequest('GET', `/users?username=${encodeURIComponent(username)}&exact=true`);
  assert.ok(user, `the user ${username} was not found after creating it`);
  if (realmRoles.length > 0) {
    const roles = await Promise.all(realmRoles.map((role) => adminRequest('GET', `/roles/${encodeURIComponent(role)}`)));
    await adminRequest('POST', `/users/${user.id}/role-mappings/realm`, roles);
  }
  return { id: user.id, username, password, phone };
}

// Returns a new Polish mobile number in E.164 that no test user has yet.
export function freshPhoneNumber() {
  return newPhoneNumber();
}

// Returns the user's stored credentials of TYPE.
export async function userCredentials(userIdValue, type) {
  const credentials = await adminRequest('GET', `/users/${userIdValue}/credentials`);
  return credentials.filter((credential) => credential.type === type);
}

// Deletes a user that createSmsUser made, together with its brute-force record.
export async function deleteUser(user) {
  if (!user) return;
  await adminRequest('DELETE', `/attack-detection/brute-force/users/${user.id}`);
  await adminRequest('DELETE', `/users/${user.id}`);
}

// Returns the id of the user named USERNAME.
export async function userId(username) {
  const [user] = await adminRequest('GET', `/users?username=${encodeURIComponent(username)}&exact=true`);
  assert.ok(user, `the user ${username} was not found`);
  return user.id;
}

// Returns the authenticator config of the sms-2fa execution in the browser-sms flow.
export async function smsExecutionConfig() {
  const executions = await adminRequest('GET', `/authentication/flows/${encodeURIComponent(BROWSER_FLOW)}/executions`);
  const execution = executions.find((candidate) => candidate.providerId === SMS_PROVIDER_ID);
  assert.ok(execution, `the flow ${BROWSER_FLOW} has no ${SMS_PROVIDER_ID} execution`);
  assert.ok(execution.authenticationConfig, `the ${SMS_PROVIDER_ID} execution has no config`);
  return adminRequest('GET', `/authentication/config/${execution.authenticationConfig}`);
}

// Runs FN with the sms-2fa execution config changed by CHANGES (key -> string value), and puts
// the original config back afterwards, also when FN fails. FN receives the changed config map.
export async function withSmsConfig(changes, fn) {
  const original = await smsExecutionConfig();
  const changed = { ...original, config: { ...original.config, ...changes } };
  await adminRequest('PUT', `/authentication/config/${original.id}`, changed);
  try {
    return await fn(changed.config);
  } finally {
    await adminRequest('PUT', `/authentication/config/${original.id}`, original);
  }
}

// Runs FN with the API secret set to VALUE. The admin REST API shows the stored secret masked, so
// withSmsConfig cannot put it back; this writes the demo realm's vault reference back instead.
export async function withApiSecret(value, fn) {
  try {
    return await withSmsConfig({ apitoken: value }, fn);
  } finally {
    const current = await smsExecutionConfig();
    await adminRequest('PUT', `/authentication/config/${current.id}`, {
      ...current,
      config: { ...current.config, apitoken: DEMO_API_SECRET },
    });
  }
}

// Runs FN with the realm settings in CHANGES, and puts the original values back afterwards.
export async function withRealmSettings(changes, fn) {
  const realm = await adminRequest('GET', '');
  const original = {};
  for (const key of Object.keys(changes)) {
    original[key] = realm[key];
  }
  await adminRequest('PUT', '', changes);
  try {
    return await fn();
  } finally {
    await adminRequest('PUT', '', original);
  }
}

// Returns the stored login events of the user with id USER_ID, newest first. Checks first that the
// realm stores events, because without that the list is empty and proves nothing.
export async function userEvents(userIdValue, type) {
  const config = await adminRequest('GET', '/events/config');
  assert.equal(config.eventsEnabled, true, 'the demo realm does not store login events');
  const query = new URLSearchParams({ user: userIdValue, max: '1000' });
  if (type) query.set('type', type);
  return adminRequest('GET', `/events?${query}`);
}

// Returns the LOGIN_ERROR events of the user that report a wrong credential.
export async function wrongCredentialEvents(userIdValue) {
  const events = await userEvents(userIdValue, 'LOGIN_ERROR');
  return events.filter((event) => event.error === 'invalid_user_credentials');
}

// Returns how many of the user's stored events the SMS authenticator marked with each value of its
// event detail sms_event (code_wrong, code_burned, code_verified, ...), as { value: count }.
export async function smsEventCounts(userIdValue) {
  const counts = {};
  for (const event of await userEvents(userIdValue)) {
    const smsEvent = event.details?.sms_event;
    if (smsEvent) counts[smsEvent] = (counts[smsEvent] ?? 0) + 1;
  }
  return counts;
}

// Returns Keycloak's brute-force status of the user: { disabled, numFailures, ... }.
export async function bruteForceStatus(userIdValue) {
  return adminRequest('GET', `/attack-detection/brute-force/users/${userIdValue}`);
}

// ------------------------------------------------------------------ login steps

// Opens the account console and submits the username and password of USER. Returns when the
// response to the password form has loaded; the caller waits for the page it expects.
export async function submitPassword(page, user) {
  await page.goto(ACCOUNT_URL);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
}

// Logs in with the password and waits for the SMS code form.
export async function logInWithPassword(page, user) {
  await submitPassword(page, user);
  await waitForCodeForm(page);
}

export async function waitForCodeForm(page) {
  await page.waitForSelector('#sms-masked-phone');
  await page.waitForSelector('#code');
}

// Enters CODE into the SMS form and submits it. Returns when the next page has loaded.
export async function submitCode(page, code) {
  await page.fill('#code', code);
  await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
}

// Tells whether HREF is a page of the account console of ACCOUNT (default: the demo realm's),
// not a login page on the way there.
export function isAccountConsole(href, account = ACCOUNT_URL) {
  return href.startsWith(account) && !href.includes('login-actions');
}

// Waits until the browser shows the account console, with no login page in between.
export async function waitForAccountConsole(page, account = ACCOUNT_URL) {
  await page.waitForURL((url) => isAccountConsole(url.href, account));
}

// Waits until the browser is back in the account console with a Keycloak login session.
export async function waitForLoggedIn(page, context) {
  await waitForAccountConsole(page);
  assert.equal(await hasLoginSession(context), true, 'no Keycloak login session after the right code');
}

// Tells whether the browser context has Keycloak's login session cookie for the demo realm.
export async function hasLoginSession(context) {
  const cookies = await context.cookies(ACCOUNT_URL);
  return cookies.some((cookie) => cookie.name === 'KEYCLOAK_IDENTITY');
}

// Returns the text of the field error under the code input, or '' when there is none.
export async function codeError(page) {
  const error = page.locator('#input-error-code');
  return (await error.count()) > 0 ? ((await error.textContent()) ?? '').trim() : '';
}

// Returns the visible text of the page body.
export async function pageText(page) {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ');
}

// The "Send a new code" button of the code page.
export function resendButton(page) {
  return page.getByRole('button', { name: /send a new code/i });
}

// Returns the seconds shown in #sms-resend-wait, or null when the element is absent or shows none.
export async function resendWaitSeconds(page) {
  const wait = page.locator('#sms-resend-wait');
  if ((await wait.count()) === 0) return null;
  const match = /\d+/.exec((await wait.textContent()) ?? '');
  return match ? Number(match[0]) : null;
}

// Returns the form that ELEMENT (a Playwright locator) submits, as { action, fields }: the absolute
// action URL and the fields a click on that element would send, the element itself included when
// it has a name. Used to send the same request outside the page.
export async function formSubmission(element) {
  return element.first().evaluate((node) => {
    const form = node.form ?? node.closest('form');
    if (!form) throw new Error('the element belongs to no form');
    const data = new FormData(form);
    // FormData leaves out a disabled button, so its name and value are added here.
    if (node.name) data.set(node.name, node.value ?? '');
    return { action: form.action, fields: Object.fromEntries(data.entries()) };
  });
}

// Sends FIELDS as a form POST to ACTION with the cookies of CONTEXT and without following
// redirects. Returns { status, location, text }.
export async function postForm(context, action, fields) {
  const response = await context.request.post(action, { form: fields, maxRedirects: 0, failOnStatusCode: false });
  return {
    status: response.status(),
    location: response.headers().location ?? '',
    text: await response.text(),
  };
}

// Tells whether a response of Keycloak's login endpoint ends the login: a redirect back to the
// account console with an authorization code.
export function isRedirectToApp(response) {
  return (
    response.status >= 300 &&
    response.status < 400 &&
    response.location.startsWith(ACCOUNT_URL) &&
    !response.location.includes('/login-actions/') &&
    /[?#&]code=/.test(response.location)
  );
}

// Polls by reloading the page until PREDICATE(page) holds, for at most LIMIT_MS. This is a wait
// for a state the product reaches by itself (a cooldown passing), not an assertion on timing.
export async function reloadUntil(page, predicate, limitMs, description) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await predicate(page)) return;
    assert.ok(Date.now() < deadline, `gave up waiting for ${description} after ${limitMs} ms`);
    await page.waitForTimeout(1000);
    await page.reload();
  }
}
