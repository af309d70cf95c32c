// Wrong attempts per code: maxAttempts wrong entries burn the code, and a new code sent before the
// burn inherits the wrong-attempt count of the code it replaces.
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
  submitCode,
  waitForCodeForm,
  waitForLoggedIn,
  withRealmSettings,
  withSmsConfig,
  wrongCodeFor,
} from './helpers.mjs';

const MAX_ATTEMPTS = 5;
// No cooldown, so "Send a new code" works at once and the test needs no waiting.
const SETTINGS = { maxAttempts: String(MAX_ATTEMPTS), resendCooldownSeconds: '0', maxSendsPerLogin: '3' };

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Runs FN(user, context, page, serverErrors) for a new user with the settings above and without
// Keycloak's quick-login lockout, which would lock the user after two wrong codes entered less
// than a second apart. Cleans up the browser context, the user and the settings afterwards.
async function withLogin(name, fn) {
  await clearMessages();
  const user = await createSmsUser(name);
  try {
    await withRealmSettings(NO_QUICK_LOGIN_CHECK, () =>
      withSmsConfig(SETTINGS, async () => {
        const { context, page, serverErrors } = await openPage(browser);
        try {
          await fn(user, context, page, serverErrors);
          assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');
        } finally {
          await context.close();
        }
      }),
    );
  } finally {
    await deleteUser(user);
  }
}

// Enters COUNT wrong codes for CODE, starting at wrong-code variant FIRST_VARIANT. Each of them
// must be rejected with an error on the code form.
async function enterWrongCodes(page, code, count, firstVariant = 0) {
  for (let i = 0; i < count; i++) {
    await submitCode(page, wrongCodeFor(code, firstVariant + i));
    await waitForCodeForm(page);
    assert.notEqual(await codeError(page), '', `wrong code ${firstVariant + i + 1} was not rejected with an error`);
  }
}

// Enters one wrong code, which must burn the code: the page then offers a new one.
async function enterBurningWrongCode(page, code, variant) {
  await submitCode(page, wrongCodeFor(code, variant));
  await page.waitForLoadState('load');
  const button = resendButton(page);
  await button.waitFor();
  assert.equal(await button.isEnabled(), true, 'the page of a burned code does not offer a new code');
}

// Submits CODE on the current page and checks that it does not log the user in. When the page of
// a burned code still shows the code input, the browser submits it. Otherwise the code is posted
// to the action of the page's form, the request a client outside the page could send.
async function assertCodeRejected(page, context, code, reason) {
  if ((await page.locator('#code').count()) > 0) {
    await submitCode(page, code);
  } else {
    const { action } = await formSubmission(resendButton(page));
    const response = await postForm(context, action, { code });
    assert.ok(response.status < 500, `posting the code ${reason} got ${response.status}`);
    assert.equal(isRedirectToApp(response), false, `the right code logged the user in ${reason}`);
    await page.reload();
  }
  assert.equal(await hasLoginSession(context), false, `the right code logged the user in ${reason}`);
}

// Clicks "Send a new code" and returns the code of the new SMS, the EXPECTED_SMS-th to the user.
async function sendNewCode(page, phone, expectedSms) {
  await Promise.all([page.waitForEvent('load'), resendButton(page).click()]);
  await waitForCodeForm(page);
  const messages = await receivedMessages(phone);
  assert.equal(messages.length, expectedSms, '"Send a new code" did not send exactly one SMS');
  return codeFromText(messages.at(-1).text);
}

test('max wrong codes burn the code', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withLogin('burn', async (user, context, page) => {
    await logInWithPassword(page, user);
    const code = await onlyCodeSentTo(user.phone);

    await enterWrongCodes(page, code, MAX_ATTEMPTS - 1);
    await enterBurningWrongCode(page, code, MAX_ATTEMPTS - 1);
    await screenshot(page, 'attempts-burned');
    await assertCodeRejected(page, context, code, 'after the code was burned');

    // The page offers a new code, and the new code works.
    await page.reload();
    await resendButton(page).waitFor();
    const newCode = await sendNewCode(page, user.phone, 2);
    await submitCode(page, newCode);
    await waitForLoggedIn(page, context);
  });
});

test('new code inherits wrong attempts', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withLogin('inherit-burn', async (user, context, page) => {
    await logInWithPassword(page, user);
    const firstCode = await onlyCodeSentTo(user.phone);
    await enterWrongCodes(page, firstCode, 2);

    const secondCode = await sendNewCode(page, user.phone, 2);
    // Two wrong attempts are inherited, so the third wrong entry of the new code burns it.
    await enterWrongCodes(page, secondCode, MAX_ATTEMPTS - 3, 10);
    await enterBurningWrongCode(page, secondCode, 20);
    await assertCodeRejected(page, context, secondCode, 'after the inherited attempts ran out');
  });
});

test('new code allows remaining attempts', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withLogin('inherit-left', async (user, context, page) => {
    await logInWithPassword(page, user);
    const firstCode = await onlyCodeSentTo(user.phone);
    await enterWrongCodes(page, firstCode, 2);

    const secondCode = await sendNewCode(page, user.phone, 2);
    // Four wrong attempts in total leave one, so the right code still works.
    await enterWrongCodes(page, secondCode, MAX_ATTEMPTS - 3, 10);
    await submitCode(page, secondCode);
    await waitForLoggedIn(page, context);
  });
});
