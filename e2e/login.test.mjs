// End-to-end test of an SMS-code login: a real Keycloak with the provider jar, the SMSEagle
// stand-in and headless Chromium. scripts/e2e.sh starts the stack and sets the URLs below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const KEYCLOAK_URL = process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8080';
const STANDIN_URL = process.env.STANDIN_URL ?? 'http://127.0.0.1:8025';
const KEYCLOAK_LOG = process.env.KEYCLOAK_LOG;
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? '../.run/screenshots';
const ACCOUNT_URL = `${KEYCLOAK_URL}/realms/demo/account`;
const DEMO_PHONE = '+48500100200';

let browser;

before(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  browser = await chromium.launch({
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
});

after(async () => {
  await browser?.close();
});

async function receivedMessages() {
  const response = await fetch(`${STANDIN_URL}/_standin/messages`);
  assert.equal(response.status, 200, 'the stand-in inspection endpoint failed');
  return response.json();
}

async function clearMessages() {
  const response = await fetch(`${STANDIN_URL}/_standin/messages`, { method: 'DELETE' });
  assert.ok(response.ok, 'clearing the stand-in messages failed');
}

function codeFromText(text) {
  const match = /\b(\d{6})\b/.exec(text);
  assert.ok(match, 'the SMS text contains no 6-digit code');
  return match[1];
}

// Returns a 6-digit code that differs from CODE in its last digit.
function wrongCodeFor(code) {
  const last = (Number(code[5]) + 1) % 10;
  return code.slice(0, 5) + String(last);
}

async function logInWithPassword(page) {
  await page.goto(ACCOUNT_URL);
  await page.fill('#username', 'demo');
  await page.fill('#password', 'demo');
  await page.click('#kc-login');
  await page.waitForSelector('#code');
}

test('password then SMS code logs the user in', async () => {
  await clearMessages();
  const context = await browser.newContext();
  const page = await context.newPage();

  await logInWithPassword(page);
  const maskedPhone = (await page.textContent('#sms-masked-phone'))?.trim();
  assert.equal(maskedPhone, '+48******200');
  assert.equal(await page.getAttribute('#code', 'autocomplete'), 'one-time-code');
  assert.equal(await page.getAttribute('#code', 'inputmode'), 'numeric');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/code-form.png` });

  let messages = await receivedMessages();
  assert.equal(messages.length, 1, 'exactly one SMS after the password step');
  assert.equal(messages[0].to, DEMO_PHONE);
  assert.equal(messages[0].path, '/api/v2/messages/sms_single');
  const code = codeFromText(messages[0].text);

  await page.reload();
  await page.waitForSelector('#code');
  messages = await receivedMessages();
  assert.equal(messages.length, 1, 'a reload of the code page sent another SMS');

  await page.fill('#code', wrongCodeFor(code));
  await page.click('#kc-login');
  await page.waitForSelector('#input-error-code');
  const error = (await page.textContent('#input-error-code'))?.trim() ?? '';
  assert.match(error, /invalid/i);
  assert.ok(await page.isVisible('#code'), 'the code form is not shown again after a wrong code');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/wrong-code.png` });
  messages = await receivedMessages();
  assert.equal(messages.length, 1, 'a wrong code sent another SMS');

  await page.fill('#code', code);
  await page.click('#kc-login');
  await page.waitForURL((url) => url.href.startsWith(ACCOUNT_URL) && !url.href.includes('login-actions'));
  const cookies = await context.cookies(ACCOUNT_URL);
  assert.ok(
    cookies.some((cookie) => cookie.name === 'KEYCLOAK_IDENTITY'),
    'no Keycloak login session after the right code',
  );
  // The account console shows the profile only after a complete login by a user with account roles.
  await page.waitForSelector('#firstName');
  assert.equal(await page.inputValue('#firstName'), 'Demo');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/logged-in.png` });

  if (KEYCLOAK_LOG) {
    const log = await readFile(KEYCLOAK_LOG, 'utf8');
    assert.ok(!log.includes(code), 'the Keycloak log contains the SMS code');
    assert.ok(!log.includes(DEMO_PHONE), 'the Keycloak log contains the full phone number');
    assert.ok(!log.includes('demo-token'), 'the Keycloak log contains the API token');
  }
  await context.close();
});
