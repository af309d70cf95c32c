// Keycloak's brute-force detection counts wrong SMS codes. A locked user gets the page of a wrong
// code for the right code, and no SMS at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS,
  bruteForceStatus,
  clearMessages,
  codeError,
  createSmsUser,
  deleteUser,
  hasLoginSession,
  launchBrowser,
  logInWithPassword,
  onlyCodeSentTo,
  openPage,
  receivedMessages,
  resendButton,
  screenshot,
  submitCode,
  submitPassword,
  waitForCodeForm,
  withRealmSettings,
  withSmsConfig,
  wrongCodeFor,
} from './helpers.mjs';

const FAILURE_FACTOR = 3;
// Higher than FAILURE_FACTOR, so the lockout comes before the code is burned.
const MAX_ATTEMPTS = 5;

// Locks the user for 10 minutes after FAILURE_FACTOR failures, longer than the test runs. The
// quick-login check is off, so the lockout comes from the failure count alone.
const REALM_SETTINGS = {
  bruteForceProtected: true,
  permanentLockout: false,
  failureFactor: FAILURE_FACTOR,
  waitIncrementSeconds: 600,
  maxFailureWaitSeconds: 900,
  maxDeltaTimeSeconds: 43200,
  quickLoginCheckMilliSeconds: 1,
};
// No cooldown, so the test can ask for a new code while the user is locked.
const SMS_SETTINGS = { maxAttempts: String(MAX_ATTEMPTS), resendCooldownSeconds: '0' };

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('wrong codes lock the user', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  const user = await createSmsUser('lockout');
  try {
    await withRealmSettings(REALM_SETTINGS, () =>
      withSmsConfig(SMS_SETTINGS, async () => {
        const { context, page, serverErrors } = await openPage(browser);
        try {
          await logInWithPassword(page, user);
          const code = await onlyCodeSentTo(user.phone);

          for (let i = 0; i < FAILURE_FACTOR; i++) {
            await submitCode(page, wrongCodeFor(code, i));
            await waitForCodeForm(page);
            assert.notEqual(await codeError(page), '', `wrong code ${i + 1} was not rejected with an error`);
          }
          const status = await bruteForceStatus(user.id);
          assert.equal(status.disabled, true, `the user is not locked after ${FAILURE_FACTOR} wrong codes`);

          // The right code gets the same page as a wrong one.
          await submitCode(page, code);
          await waitForCodeForm(page);
          assert.notEqual(await codeError(page), '', 'the right code of a locked user shows no error');
          assert.equal(await hasLoginSession(context), false, 'the right code logged a locked user in');
          await screenshot(page, 'lockout-right-code');

          // A locked user gets no new code.
          const resend = resendButton(page);
          if ((await resend.count()) > 0 && (await resend.isEnabled())) {
            await Promise.all([page.waitForEvent('load'), resend.click()]);
          }
          assert.equal((await receivedMessages(user.phone)).length, 1, 'a locked user got a new code');
          assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');
        } finally {
          await context.close();
        }

        // A new login of the locked user sends no SMS either.
        const second = await openPage(browser);
        try {
          await submitPassword(second.page, user);
          await screenshot(second.page, 'lockout-new-login');
          assert.equal((await receivedMessages(user.phone)).length, 1, 'a new login of a locked user sent an SMS');
          assert.equal(await hasLoginSession(second.context), false, 'a locked user was logged in');
          assert.deepEqual(second.serverErrors, [], 'some pages of the new login got a 5xx response');
        } finally {
          await second.context.close();
        }
      }),
    );
  } finally {
    // deleteUser also clears the user's brute-force record.
    await deleteUser(user);
  }
});
