// Admin-provisioned numbers: with "Provisioned phone number attribute" set, a user without an SMS
// credential gets the codes at the number in that attribute (as LDAP would fill it). The first
// right code proves possession and stores the number as the user's credential.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS,
  adminRequest,
  clearMessages,
  createUser,
  deleteUser,
  freshPhoneNumber,
  isAccountConsole,
  launchBrowser,
  logInWithPassword,
  onlyCodeSentTo,
  openPage,
  pageText,
  submitCode,
  submitPassword,
  userCredentials,
  userEvents,
  waitForLoggedIn,
  withSmsConfig,
} from './helpers.mjs';

const ATTRIBUTE = 'mobile';

let browser;
let originalProfile;

before(async () => {
  browser = await launchBrowser();
  // Keycloak's user profile drops attributes it does not know. An admin either declares the
  // attribute or, as here, lets administrators edit attributes outside the profile.
  originalProfile = await adminRequest('GET', '/users/profile');
  await adminRequest('PUT', '/users/profile', { ...originalProfile, unmanagedAttributePolicy: 'ADMIN_EDIT' });
});

after(async () => {
  if (originalProfile) await adminRequest('PUT', '/users/profile', originalProfile);
  await browser?.close();
});

// Returns PHONE (+48 and nine digits) written as an admin might type it into LDAP.
function spaced(phone) {
  return `+48 ${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`;
}

test('provisioned number: first login stores it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const phone = freshPhoneNumber();
  const user = await createUser('provisioned', { sms: 'none', attributes: { [ATTRIBUTE]: [spaced(phone)] } });
  const first = await openPage(browser);
  const second = await openPage(browser);
  try {
    await withSmsConfig({ mobileNumberAttribute: ATTRIBUTE }, async () => {
      await clearMessages();
      await logInWithPassword(first.page, user);
      assert.match(await pageText(first.page), new RegExp(`\\+48\\*+${phone.slice(-3)}`));
      assert.deepEqual(await userCredentials(user.id, 'sms-phone-number'), [],
        'the provisioned number counted as a credential before the code');
      await submitCode(first.page, await onlyCodeSentTo(phone));
      await waitForLoggedIn(first.page, first.context);

      const [credential] = await userCredentials(user.id, 'sms-phone-number');
      assert.ok(credential, 'the proven number was not stored');
      assert.equal(JSON.parse(credential.credentialData).phoneNumber, phone);
      const confirmed = (await userEvents(user.id, 'UPDATE_CREDENTIAL'))
        .filter((event) => event.details?.sms_event === 'provisioned_confirmed');
      assert.equal(confirmed.length, 1, 'no provisioned_confirmed event');

      // From now on the credential counts: a changed attribute does not redirect the codes.
      const other = freshPhoneNumber();
      const representation = await adminRequest('GET', `/users/${user.id}`);
      await adminRequest('PUT', `/users/${user.id}`, {
        ...representation,
        attributes: { ...representation.attributes, [ATTRIBUTE]: [other] },
      });
      await clearMessages();
      await logInWithPassword(second.page, user);
      await submitCode(second.page, await onlyCodeSentTo(phone));
      await waitForLoggedIn(second.page, second.context);
    });
  } finally {
    await first.context.close();
    await second.context.close();
    await deleteUser(user);
  }
});

test('provisioned number: unusable value rejected', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('provisioned-bad', { sms: 'none', attributes: { [ATTRIBUTE]: ['call me'] } });
  const { context, page } = await openPage(browser);
  try {
    await withSmsConfig({ mobileNumberAttribute: ATTRIBUTE }, async () => {
      await clearMessages();
      await submitPassword(page, user);
      await page.waitForSelector('#kc-page-title');
      assert.match(await pageText(page), /SMS authentication is not available right now/);
      assert.equal(isAccountConsole(page.url()), false, 'the login ended without a second factor');
    });
  } finally {
    await context.close();
    await deleteUser(user);
  }
});
