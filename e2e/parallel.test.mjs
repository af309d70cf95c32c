// Parallel submissions of the code form with the browser's cookies: a storm of wrong codes is
// compared at most maxAttempts times, and two parallel right codes log in once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS,
  clearMessages,
  createSmsUser,
  deleteUser,
  hasLoginSession,
  isRedirectToApp,
  launchBrowser,
  logInWithPassword,
  onlyCodeSentTo,
  openPage,
  postForm,
  receivedMessages,
  resendButton,
  screenshot,
  smsEventCounts,
  submitCode,
  userEvents,
  withRealmSettings,
  withSmsConfig,
  wrongCodeFor,
  wrongCredentialEvents,
} from './helpers.mjs';

const MAX_ATTEMPTS = 5;
const STORM_SIZE = 50;
// Keycloak accepts each session code in a form's action URL once, so most requests of a storm
// may stop at that check before they reach the authenticator. The storm is repeated with a fresh
// action URL until the code is burned, at most this many times.
const MAX_STORMS = 20;

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Returns the absolute action URL of the code form on the page.
async function codeFormAction(page) {
  const action = await page.locator('form:has(#code)').getAttribute('action');
  assert.ok(action, 'the code form has no action attribute');
  return new URL(action, page.url()).href;
}

test('wrong-code storm compares at most maxAttempts', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await clearMessages();
  const user = await createSmsUser('storm');
  // Brute-force detection is off here, so the code is rejected at the end only because it is
  // burned, not because the user is locked.
  const realmSettings = { bruteForceProtected: false };
  const smsSettings = { maxAttempts: String(MAX_ATTEMPTS), resendCooldownSeconds: '0' };
  try {
    await withRealmSettings(realmSettings, () =>
      withSmsConfig(smsSettings, async () => {
        const { context, page, serverErrors } = await openPage(browser);
        try {
          await logInWithPassword(page, user);
          const code = await onlyCodeSentTo(user.phone);

          // The authenticator stores one event per entered code. A comparison that finds a wrong
          // code with attempts left is a code_wrong event. The comparison that uses the last
          // attempt burns the code, and it and every later entry are code_burned events.
          let storms = 0;
          let variant = 0;
          let counts = {};
          while (!counts.code_burned) {
            assert.ok(storms < MAX_STORMS, `the code was not burned after ${storms} storms of wrong codes`);
            storms += 1;
            const action = await codeFormAction(page);
            const requests = [];
            for (let i = 0; i < STORM_SIZE; i++) {
              requests.push(postForm(context, action, { code: wrongCodeFor(code, variant) }));
              variant += 1;
            }
            const responses = await Promise.all(requests);
            for (const response of responses) {
              assert.ok(response.status < 500, `a parallel wrong code got ${response.status}`);
              assert.equal(isRedirectToApp(response), false, 'a wrong code logged the user in');
            }
            counts = await smsEventCounts(user.id);
            t.diagnostic(`events after storm ${storms}: ${JSON.stringify(counts)}`);
            await page.reload();
            await page.waitForLoadState('load');
          }
          await screenshot(page, 'parallel-burned');

          // code_wrong events plus the one comparison that burned the code are all comparisons.
          const comparisons = (counts.code_wrong ?? 0) + 1;
          assert.ok(comparisons <= MAX_ATTEMPTS, `${comparisons} wrong codes were compared, maxAttempts is ${MAX_ATTEMPTS}`);
          const failures = await wrongCredentialEvents(user.id);
          assert.equal(failures.length, (counts.code_wrong ?? 0) + counts.code_burned,
            'some wrong-code failures have no sms_event detail');

          // The right code is rejected because the code is burned.
          if ((await page.locator('#code').count()) > 0) {
            await submitCode(page, code);
          } else {
            const response = await postForm(context, await formActionOfResend(page), { code });
            assert.ok(response.status < 500, `the right code after the storm got ${response.status}`);
            assert.equal(isRedirectToApp(response), false, 'the right code logged the user in after the storm');
          }
          assert.equal(await hasLoginSession(context), false, 'the right code logged the user in after the storm');

          assert.equal((await receivedMessages(user.phone)).length, 1, 'the storm sent an SMS');
          assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');
        } finally {
          await context.close();
        }
      }),
    );
  } finally {
    await deleteUser(user);
  }
});

async function formActionOfResend(page) {
  const action = await resendButton(page).evaluate((button) => (button.form ?? button.closest('form'))?.action);
  assert.ok(action, 'the "Send a new code" button belongs to no form');
  return action;
}

test('parallel right codes log in once', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  const user = await createSmsUser('double');
  const { context, page, serverErrors } = await openPage(browser);
  try {
    await logInWithPassword(page, user);
    const code = await onlyCodeSentTo(user.phone);
    const action = await codeFormAction(page);

    const responses = await Promise.all([
      postForm(context, action, { code }),
      postForm(context, action, { code }),
    ]);
    for (const response of responses) {
      assert.ok(response.status < 500, `a parallel right code got ${response.status}`);
    }
    const successes = responses.filter(isRedirectToApp);
    assert.equal(successes.length, 1, `${successes.length} of the two parallel right codes logged the user in`);

    const logins = await userEvents(user.id, 'LOGIN');
    assert.equal(logins.length, 1, `${logins.length} LOGIN events for one code`);
    assert.equal(logins[0].details?.sms_event, 'code_verified', 'the LOGIN event does not record the verified code');
    assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');
  } finally {
    await context.close();
    await deleteUser(user);
  }
});
