// No code, API token or full phone number in the Keycloak log or the realm's events, after a login
// that went through a failed send, a wrong code and the right code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  DEMO_USER,
  KEYCLOAK_LOG,
  STANDIN_TOKEN,
  TEST_TIMEOUT_MS,
  adminRequest,
  clearFault,
  clearMessages,
  codeFromText,
  createSmsUser,
  deleteUser,
  launchBrowser,
  openPage,
  pageText,
  receivedMessages,
  setFault,
  submitCode,
  submitPassword,
  userId,
  waitForCodeForm,
  waitForLoggedIn,
  withApiSecret,
  wrongCodeFor,
} from './helpers.mjs';

// A full phone number in E.164: '+' and 8 to 15 digits. A masked number has '*' in place of the
// middle digits, so it does not match.
const E164_NUMBER = /\+\d{8,15}(?!\d)/;

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Tells whether TEXT contains the digits of CODE as a whole number, so that a code is not found
// by chance inside a longer number such as a timestamp.
function containsCode(text, code) {
  return new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text);
}

test('log and events hold no secrets', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.ok(KEYCLOAK_LOG, 'KEYCLOAK_LOG is not set; scripts/e2e.sh sets it to the Keycloak log file');
  await clearMessages();
  const demoUserId = await userId(DEMO_USER.username);
  let code;
  const { context, page, serverErrors } = await openPage(browser);
  try {
    // The first send is rejected, so the log also gets the lines of a failed send.
    await setFault('reject', { count: 1 });
    try {
      await submitPassword(page, DEMO_USER);
      await page.waitForSelector('#sms-send-again');
    } finally {
      await clearFault();
    }
    await Promise.all([page.waitForEvent('load'), page.click('#sms-send-again')]);
    await waitForCodeForm(page);

    const messages = await receivedMessages(DEMO_USER.phone);
    assert.equal(messages.length, 1, 'expected exactly one SMS after the retry');
    code = codeFromText(messages[0].text);

    await submitCode(page, wrongCodeFor(code));
    await waitForCodeForm(page);
    await submitCode(page, code);
    await waitForLoggedIn(page, context);
    assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');
  } finally {
    await context.close();
  }

  const log = await readFile(KEYCLOAK_LOG, 'utf8');
  assert.ok(log.length > 0, `the Keycloak log ${KEYCLOAK_LOG} is empty`);
  const events = await adminRequest('GET', '/events?max=10000');
  assert.ok(
    events.some((event) => event.type === 'LOGIN' && event.userId === demoUserId),
    'the realm stored no LOGIN event of the demo user',
  );
  const eventsText = JSON.stringify(events);

  // The national number, without country code, also finds the number written as 0048... or 48....
  const nationalNumber = DEMO_USER.phone.slice(3);
  for (const [name, text] of [['the Keycloak log', log], ["the realm's events", eventsText]]) {
    assert.equal(containsCode(text, code), false, `${name} contains the SMS code`);
    assert.equal(text.includes(STANDIN_TOKEN), false, `${name} contains the API token`);
    assert.equal(text.includes(nationalNumber), false, `${name} contains the demo user's full phone number`);
    // The other tests log in users with random numbers, and none of those may appear unmasked either.
    const fullNumber = E164_NUMBER.exec(text);
    assert.equal(fullNumber, null, `${name} contains a full phone number ending in ${fullNumber?.[0].slice(-3)}`);
  }
});

test('a vault reference without a secret names the field', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.ok(KEYCLOAK_LOG, 'KEYCLOAK_LOG is not set; scripts/e2e.sh sets it to the Keycloak log file');
  const user = await createSmsUser('vault');
  const { context, page } = await openPage(browser);
  const logBefore = (await readFile(KEYCLOAK_LOG, 'utf8')).length;
  try {
    await clearMessages();
    await withApiSecret('${vault.no_such_secret}', async () => {
      await submitPassword(page, user);
      await page.waitForSelector('#kc-page-title');
      assert.match(await pageText(page), /SMS authentication is not available right now/);
    });
    assert.equal((await receivedMessages()).length, 0, 'an SMS was sent without a token');
    const log = (await readFile(KEYCLOAK_LOG, 'utf8')).slice(logBefore);
    assert.match(log, /field 'apitoken'.*\$\{vault\.no_such_secret\}/);
  } finally {
    await context.close();
    await deleteUser(user);
  }
});

