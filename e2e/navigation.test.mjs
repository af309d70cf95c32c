// Browser navigation on the SMS code page: reload, back and forward, "Try another way" and a GET of
// the form's action URL. None of them may send a second SMS or get a 500 response.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS,
  clearMessages,
  createSmsUser,
  deleteUser,
  launchBrowser,
  onlyCodeSentTo,
  openPage,
  receivedMessages,
  screenshot,
  submitCode,
  submitPassword,
  waitForCodeForm,
  waitForLoggedIn,
} from './helpers.mjs';

// Option names on Keycloak's select-authenticator page: the display names of the credential types.
const SMS_OPTION = 'SMS Authenticator';
const OTP_OPTION = 'Authenticator Application';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// The user has a TOTP credential too, so Keycloak may start with either second factor. Returns
// when the SMS code form shows, going through "Try another way" when the OTP form came first.
async function reachSmsForm(page) {
  await page.waitForSelector('#sms-masked-phone, #otp');
  if ((await page.locator('#otp').count()) > 0) {
    await chooseAnotherWay(page, SMS_OPTION);
  }
  await waitForCodeForm(page);
}

// Clicks "Try another way" and then the option whose heading contains OPTION. Keycloak's
// select-authenticator page shows each option as an element with role button.
async function chooseAnotherWay(page, option) {
  await Promise.all([page.waitForEvent('load'), page.click('#try-another-way')]);
  const choice = page.getByRole('button', { name: option });
  await Promise.all([page.waitForEvent('load'), choice.click()]);
}

async function assertOneSms(phone, step) {
  const messages = await receivedMessages(phone);
  assert.equal(messages.length, 1, `${step} sent another SMS (${messages.length} in total)`);
}

test('navigation sends no second SMS', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  const user = await createSmsUser('navigation', { withOtp: true });
  const { context, page, serverErrors } = await openPage(browser);
  try {
    await submitPassword(page, user);
    await reachSmsForm(page);
    const code = await onlyCodeSentTo(user.phone);

    await page.reload();
    await waitForCodeForm(page);
    await assertOneSms(user.phone, 'a reload');

    // Back leads to the page before the code form, forward to the code form again.
    await page.goBack();
    await page.waitForLoadState('load');
    await assertOneSms(user.phone, 'going back');
    await page.goForward();
    await page.waitForLoadState('load');
    await reachSmsForm(page);
    await assertOneSms(user.phone, 'going forward');

    await chooseAnotherWay(page, OTP_OPTION);
    await page.waitForSelector('#otp');
    await assertOneSms(user.phone, 'choosing the authenticator app');
    await chooseAnotherWay(page, SMS_OPTION);
    await waitForCodeForm(page);
    await assertOneSms(user.phone, 'returning to SMS through "Try another way"');

    const action = await page.locator('form:has(#code)').getAttribute('action');
    assert.ok(action, 'the code form has no action attribute');
    const response = await page.goto(new URL(action, page.url()).href);
    assert.ok(response, 'the GET of the form action got no response');
    assert.ok(response.status() < 500, `the GET of the form action got ${response.status()}`);
    await screenshot(page, 'navigation-get-action');
    await assertOneSms(user.phone, 'a GET of the form action');

    // The login still works with the one code that was sent.
    await page.goto(page.url());
    await reachSmsForm(page);
    await submitCode(page, code);
    await waitForLoggedIn(page, context);
    await assertOneSms(user.phone, 'the whole login');
    assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');
  } finally {
    await context.close();
    await deleteUser(user);
  }
});
