// "Send a new code": rejected during the cooldown, which doubles after each resend, and rejected after
// maxSendsPerLogin sends. A new code replaces the old one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  NO_QUICK_LOGIN_CHECK,
  TEST_TIMEOUT_MS,
  clearMessages,
  codeError,
  codeFromText,
  createSmsUser,
  deleteUser,
  formSubmission,
  launchBrowser,
  logInWithPassword,
  onlyCodeSentTo,
  openPage,
  postForm,
  receivedMessages,
  reloadUntil,
  resendButton,
  resendWaitSeconds,
  screenshot,
  submitCode,
  waitForCodeForm,
  waitForLoggedIn,
  withRealmSettings,
  withSmsConfig,
} from './helpers.mjs';

// Long enough that the checks right after a send, which take about a second, run inside the
// cooldown even on a busy machine. The second resend waits twice as long.
const COOLDOWN_SECONDS = 10;
const MAX_SENDS = 3;

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Tells whether the page offers a resend now: an enabled button and no seconds left to wait.
async function canResendNow(page) {
  const button = resendButton(page);
  if ((await button.count()) === 0 || !(await button.isEnabled())) return false;
  const wait = await resendWaitSeconds(page);
  return wait === null || wait === 0;
}

// Checks that a resend is rejected right now: the button is disabled, or the server sends no SMS
// for it. The request is also sent outside the page with RESEND_FIELDS, so the server's own check
// is tested even when the page disables the button. Returns with the code form reloaded.
async function assertResendRejected(page, context, phone, resendFields, expectedSms, when) {
  const action = await page.locator('form:has(#code)').getAttribute('action');
  assert.ok(action, 'the code form has no action attribute');
  const response = await postForm(context, new URL(action, page.url()).href, resendFields);
  assert.ok(response.status < 500, `a resend ${when} got ${response.status}`);

  const messages = await receivedMessages(phone);
  assert.equal(messages.length, expectedSms, `a resend ${when} sent an SMS`);

  // The request outside the page used up the page's session code, so the page is loaded again.
  await page.reload();
  await waitForCodeForm(page);
}

// Waits until the cooldown has passed, clicks "Send a new code" and returns the new code.
async function resendAfterCooldown(page, phone, limitMs, expectedSms) {
  await reloadUntil(page, canResendNow, limitMs, 'the resend cooldown to pass');
  await Promise.all([page.waitForEvent('load'), resendButton(page).click()]);
  await waitForCodeForm(page);

  const messages = await receivedMessages(phone);
  assert.equal(messages.length, expectedSms, `"Send a new code" did not send exactly one SMS`);
  return codeFromText(messages.at(-1).text);
}

test('resend respects cooldown and limit', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  const user = await createSmsUser('resend');
  const settings = { resendCooldownSeconds: String(COOLDOWN_SECONDS), maxSendsPerLogin: String(MAX_SENDS) };
  // Without the quick-login check, because Keycloak would lock the user when the old codes are
  // entered less than a second apart.
  const run = (fn) => withRealmSettings(NO_QUICK_LOGIN_CHECK, () => withSmsConfig(settings, fn));
  try {
    await run(async () => {
      const { context, page, serverErrors } = await openPage(browser);
      try {
        await logInWithPassword(page, user);
        const firstCode = await onlyCodeSentTo(user.phone);

        const button = resendButton(page);
        assert.equal(await button.count(), 1, 'the code page has no "Send a new code" button');
        const resendFields = (await formSubmission(button)).fields;
        // The page may disable the button or leave the check to the server, and the test covers both.
        const wait = await resendWaitSeconds(page);
        assert.notEqual(wait, null, 'the code page has no #sms-resend-wait with the seconds to wait');
        assert.ok(wait > 0, '#sms-resend-wait shows 0 seconds right after the first send');
        assert.ok(wait <= COOLDOWN_SECONDS, `#sms-resend-wait shows ${wait} s, more than the cooldown`);
        await screenshot(page, 'resend-cooldown');
        await assertResendRejected(page, context, user.phone, resendFields, 1, 'during the first cooldown');

        const cooldownLimitMs = (COOLDOWN_SECONDS * 4 + 60) * 1000;
        const secondCode = await resendAfterCooldown(page, user.phone, cooldownLimitMs, 2);

        // The cooldown after the first resend is twice as long.
        const secondWait = await resendWaitSeconds(page);
        assert.notEqual(secondWait, null, 'the code page has no #sms-resend-wait after a resend');
        assert.ok(secondWait > 0, '#sms-resend-wait shows 0 seconds right after a resend');
        assert.ok(secondWait <= 2 * COOLDOWN_SECONDS, `#sms-resend-wait shows ${secondWait} s after a resend`);
        await assertResendRejected(page, context, user.phone, resendFields, 2, 'during the second cooldown');

        const thirdCode = await resendAfterCooldown(page, user.phone, cooldownLimitMs, MAX_SENDS);

        // maxSendsPerLogin is reached, so a resend request sends nothing.
        await screenshot(page, 'resend-limit');
        await assertResendRejected(page, context, user.phone, resendFields, MAX_SENDS, 'after the send limit');

        // Only the newest code works. Codes are random, so an old code can equal the new one.
        for (const oldCode of [firstCode, secondCode]) {
          if (oldCode === thirdCode) continue;
          await submitCode(page, oldCode);
          await waitForCodeForm(page);
          assert.notEqual(await codeError(page), '', 'an old code was not rejected with an error');
        }
        await submitCode(page, thirdCode);
        await waitForLoggedIn(page, context);

        assert.equal((await receivedMessages(user.phone)).length, MAX_SENDS);
        assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');
      } finally {
        await context.close();
      }
    });
  } finally {
    await deleteUser(user);
  }
});
