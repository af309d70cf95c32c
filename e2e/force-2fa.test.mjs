// Force 2FA: a user without any second factor must add a phone number at the next login, a user
// with the configured exempt role is left alone, and the user's other pending required actions stay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS,
  adminRequest,
  clearMessages,
  codeFromText,
  createUser,
  deleteUser,
  freshPhoneNumber,
  isAccountConsole,
  launchBrowser,
  openPage,
  pageText,
  receivedMessages,
  submitCode,
  submitPassword,
  userCredentials,
  userEvents,
  waitForAccountConsole,
  withSmsConfig,
} from './helpers.mjs';

const EXEMPT_ROLE = 'e2e-sms-exempt';

let browser;

before(async () => {
  browser = await launchBrowser();
  const roles = await adminRequest('GET', '/roles');
  if (!roles.some((role) => role.name === EXEMPT_ROLE)) {
    await adminRequest('POST', '/roles', { name: EXEMPT_ROLE, description: 'Exempt from Force 2FA (e2e)' });
  }
});

after(async () => {
  await browser?.close();
});

test('Force 2FA: enrolment keeps other actions', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('force', { sms: 'none', requiredActions: ['UPDATE_PROFILE'] });
  const { context, page, serverErrors } = await openPage(browser);
  try {
    await withSmsConfig({ forceSecondFactor: 'true', whitelist: EXEMPT_ROLE }, async () => {
      await clearMessages();
      await submitPassword(page, user);
      const phone = freshPhoneNumber();
      const seen = [];
      // Keycloak orders the pending actions by priority; each page is handled as it comes.
      for (let step = 0; step < 6 && !isAccountConsole(page.url()); step += 1) {
        if (await page.locator('#phoneNumber').count()) {
          seen.push('number');
          await page.fill('#phoneNumber', phone);
          await Promise.all([page.waitForEvent('load'), page.click('#sms-send-code')]);
        } else if (await page.locator('#code').count()) {
          seen.push('code');
          const [message] = await receivedMessages(phone);
          assert.ok(message, `no SMS reached ${phone}`);
          await submitCode(page, codeFromText(message.text));
        } else if (await page.locator('#kc-update-profile-form').count()) {
          seen.push('profile');
          await page.fill('#firstName', 'Forced');
          await Promise.all([page.waitForEvent('load'), page.click('input[type="submit"], button[type="submit"]')]);
        } else {
          assert.fail(`unexpected page during the required actions: ${(await pageText(page)).slice(0, 300)}`);
        }
        await page.waitForLoadState();
      }
      assert.ok(isAccountConsole(page.url()), `the login did not end in the account console: ${page.url()}`);
      assert.deepEqual([...seen].sort(), ['code', 'number', 'profile'], `pages seen: ${seen}`);
    });

    const [credential] = await userCredentials(user.id, 'sms-phone-number');
    assert.ok(credential, 'Force 2FA ended without a stored number');
    const [stored] = await adminRequest('GET', `/users?username=${user.username}&exact=true`);
    assert.equal(stored.firstName, 'Forced', 'the pending UPDATE_PROFILE action was dropped');
    assert.deepEqual(stored.requiredActions, [], 'an action stayed pending after the login');
    const enrolled = (await userEvents(user.id, 'UPDATE_CREDENTIAL'))
      .filter((event) => event.details?.sms_event === 'enrolled');
    assert.equal(enrolled.length, 1);
    assert.deepEqual(serverErrors, []);
  } finally {
    await context.close();
    await deleteUser(user);
  }
});

test('Force 2FA: exempt role skips enrolment', { timeout: TEST_TIMEOUT_MS }, async () => {
  const exempt = await createUser('force-exempt', { sms: 'none', realmRoles: [EXEMPT_ROLE] });
  const forced = await createUser('force-control', { sms: 'none' });
  const first = await openPage(browser);
  const second = await openPage(browser);
  try {
    await withSmsConfig({ forceSecondFactor: 'true', whitelist: EXEMPT_ROLE }, async () => {
      await submitPassword(first.page, exempt);
      await waitForAccountConsole(first.page);

      // The same settings send a user without the role to the number page.
      await submitPassword(second.page, forced);
      await second.page.waitForSelector('#phoneNumber');
    });
    assert.deepEqual(await userCredentials(exempt.id, 'sms-phone-number'), []);
  } finally {
    await first.context.close();
    await second.context.close();
    await deleteUser(exempt);
    await deleteUser(forced);
  }
});

test('Force 2FA off: password only', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('force-off', { sms: 'none' });
  const { context, page } = await openPage(browser);
  try {
    await withSmsConfig({ forceSecondFactor: 'false' }, async () => {
      await submitPassword(page, user);
      await waitForAccountConsole(page);
    });
  } finally {
    await context.close();
    await deleteUser(user);
  }
});
