// Enrolment through the account console: "SMS Authenticator" under Signing in, adding a number that
// an SMS confirms, changing it (the credential id stays), removing it, and the number checks:
// invalid input, another user's number, a double-submitted form and wrong codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCOUNT_URL,
  TEST_TIMEOUT_MS,
  adminRequest,
  bruteForceStatus,
  clearMessages,
  codeFromText,
  createUser,
  deleteUser,
  formSubmission,
  freshPhoneNumber,
  launchBrowser,
  openPage,
  pageText,
  postForm,
  receivedMessages,
  screenshot,
  submitCode,
  submitPassword,
  userCredentials,
  userEvents,
  waitForAccountConsole,
  wrongCodeFor,
} from './helpers.mjs';

const SIGNING_IN_URL = `${ACCOUNT_URL}/account-security/signing-in`;
const SMS_TYPE = 'sms-phone-number';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Logs USER in with the password (the user has no second factor) and opens Signing in.
async function openSigningIn(page, user) {
  await submitPassword(page, user);
  await waitForAccountConsole(page);
  await page.goto(SIGNING_IN_URL);
  await page.getByText('SMS Authenticator', { exact: true }).first().waitFor();
}

// Clicks "Set up SMS Authenticator" and waits for the number page.
async function startEnrolment(page) {
  await page.getByText('Set up SMS Authenticator').click();
  await page.waitForSelector('#phoneNumber');
}

// Submits the number page with COUNTRY (or none) and INPUT; returns when the next page has loaded.
async function submitNumber(page, input, country) {
  if (country !== undefined) await page.selectOption('#country', country);
  await page.fill('#phoneNumber', input);
  await Promise.all([page.waitForEvent('load'), page.click('#sms-send-code')]);
}

// Returns the text of the field error under the number input, or ''.
async function numberError(page) {
  const error = page.locator('#input-error-phoneNumber');
  return (await error.count()) > 0 ? ((await error.textContent()) ?? '').trim() : '';
}

// Waits for the code page of enrolment and returns the code of the only SMS sent to PHONE.
async function codeSentTo(page, phone) {
  await page.waitForSelector('#code');
  const messages = await receivedMessages(phone);
  assert.equal(messages.length, 1, `expected one SMS to ${phone}, got ${messages.length}`);
  return codeFromText(messages[0].text);
}

// Enrols PHONE from the Signing in page and waits until the account console is back.
async function enrol(page, phone) {
  await startEnrolment(page);
  await submitNumber(page, phone);
  const code = await codeSentTo(page, phone);
  await submitCode(page, code);
  await page.waitForURL((url) => url.href.startsWith(SIGNING_IN_URL));
}

function smsEventsOf(events, smsEvent) {
  return events.filter((event) => event.details?.sms_event === smsEvent);
}

test('account console: add, change and remove the SMS number', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('enrol', { sms: 'none' });
  const { context, page, serverErrors } = await openPage(browser);
  try {
    await openSigningIn(page, user);
    assert.match(await pageText(page), /SMS Authenticator is not set up/);

    // Add: bad input first, then a number in national form with the country chosen.
    await clearMessages();
    await startEnrolment(page);
    assert.match(await pageText(page), /Enter the mobile phone number/);
    await submitNumber(page, '12');
    assert.match(await numberError(page), /not a valid phone number/);
    await submitNumber(page, '701 234 567', 'PL');
    assert.match(await numberError(page), /cannot receive login codes/, 'a premium-rate number was not rejected');
    assert.equal((await receivedMessages()).length, 0, 'a rejected number got an SMS');

    const first = freshPhoneNumber();
    const national = `${first.slice(3, 6)} ${first.slice(6, 9)} ${first.slice(9)}`;
    await submitNumber(page, national, 'PL');
    const firstCode = await codeSentTo(page, first);
    // The number the user has just typed is shown in full, so that a typo can be seen.
    assert.match(await pageText(page), new RegExp(`We sent a code by SMS to \\${first}\\.`));
    assert.deepEqual(await userCredentials(user.id, SMS_TYPE), [], 'the number was stored before the code');
    await screenshot(page, 'enrolment-code');
    await submitCode(page, firstCode);
    await page.waitForURL((url) => url.href.startsWith(SIGNING_IN_URL));
    await page.getByText(`+48******${first.slice(-3)}`).waitFor();

    const [added] = await userCredentials(user.id, SMS_TYPE);
    assert.ok(added, 'no sms-phone-number credential after enrolment');
    assert.equal(JSON.parse(added.credentialData).phoneNumber, first);
    assert.equal(added.userLabel, `+48******${first.slice(-3)}`);

    // Change: the same link replaces the number after its own code; the credential id stays.
    await clearMessages();
    const second = freshPhoneNumber();
    await startEnrolment(page);
    assert.match(await pageText(page), new RegExp(`Your login codes go to \\+48\\*+${first.slice(-3)}`));
    await submitNumber(page, second);
    const secondCode = await codeSentTo(page, second);
    assert.equal((await receivedMessages(first)).length, 0, 'the old number got the confirmation code');
    await submitCode(page, secondCode);
    await page.waitForURL((url) => url.href.startsWith(SIGNING_IN_URL));
    const changed = await userCredentials(user.id, SMS_TYPE);
    assert.equal(changed.length, 1, 'changing the number added a second credential');
    assert.equal(changed[0].id, added.id, 'changing the number changed the credential id');
    assert.equal(JSON.parse(changed[0].credentialData).phoneNumber, second);

    const updates = await userEvents(user.id, 'UPDATE_CREDENTIAL');
    assert.equal(smsEventsOf(updates, 'enrolled').length, 1, 'no enrolled event');
    assert.equal(smsEventsOf(updates, 'number_changed').length, 1, 'no number_changed event');
    for (const event of updates) {
      assert.equal(event.details.credential_type, SMS_TYPE);
      assert.match(event.details.sms_masked_phone, /^\+48\*+\d{3}$/);
      assert.ok(event.details.sms_message_id, 'the event has no gateway message id');
    }
    const sent = smsEventsOf(await userEvents(user.id, 'CUSTOM_REQUIRED_ACTION'), 'code_sent');
    assert.equal(sent.length, 2, 'expected a code_sent event per confirmation SMS');

    // Remove: the account console's delete leads to Keycloak's confirmation page.
    await Promise.all([page.waitForURL(/execution=delete_credential/), page.getByRole('button', { name: 'Delete' }).click()]);
    assert.match(await pageText(page), new RegExp(`Do you want to delete \\+48\\*+${second.slice(-3)}`));
    await Promise.all([page.waitForEvent('load'), page.click('#kc-accept')]);
    await page.waitForURL((url) => url.href.startsWith(SIGNING_IN_URL));
    await page.getByText('SMS Authenticator is not set up').waitFor();
    assert.deepEqual(await userCredentials(user.id, SMS_TYPE), []);
    const removed = await userEvents(user.id, 'REMOVE_CREDENTIAL');
    const removal = removed.find((event) => event.details?.credential_type === SMS_TYPE);
    assert.ok(removal, 'no REMOVE_CREDENTIAL event');
    assert.equal(removal.details.credential_user_label, `+48******${second.slice(-3)}`);
    const [stored] = await adminRequest('GET', `/users?username=${user.username}&exact=true`);
    assert.equal(stored.attributes?.sms2fa_phone_number, undefined, 'the lookup attribute outlived the number');

    assert.deepEqual(serverErrors, []);
  } finally {
    await context.close();
    await deleteUser(user);
  }
});

test('enrolment: another user\'s number rejected after code', { timeout: TEST_TIMEOUT_MS }, async () => {
  const owner = await createUser('enrol-owner', { sms: 'none' });
  const other = await createUser('enrol-other', { sms: 'none' });
  const first = await openPage(browser);
  const second = await openPage(browser);
  try {
    const phone = freshPhoneNumber();
    await clearMessages();
    await openSigningIn(first.page, owner);
    await enrol(first.page, phone);

    // The number gets its code as any other: only someone who can read it learns that it is taken.
    await clearMessages();
    await openSigningIn(second.page, other);
    await startEnrolment(second.page);
    await submitNumber(second.page, phone);
    await submitCode(second.page, await codeSentTo(second.page, phone));
    const error = await numberError(second.page);
    assert.match(error, /cannot be used for your account/);
    assert.doesNotMatch(error, /another user|already/i, 'the message reveals that the number is taken');
    assert.deepEqual(await userCredentials(other.id, SMS_TYPE), [], 'the taken number was stored');
    const rejected = smsEventsOf(await userEvents(other.id, 'CUSTOM_REQUIRED_ACTION_ERROR'), 'number_rejected');
    assert.equal(rejected.at(0)?.details?.reason, 'in_use');

    // The owner can enter the own number again, for example after a change was abandoned.
    await clearMessages();
    await startEnrolment(first.page);
    await submitNumber(first.page, phone);
    await codeSentTo(first.page, phone);
  } finally {
    await first.context.close();
    await second.context.close();
    await deleteUser(owner);
    await deleteUser(other);
  }
});

test('enrolment: a double-submitted number form sends one SMS', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('enrol-double', { sms: 'none' });
  const { context, page } = await openPage(browser);
  try {
    await openSigningIn(page, user);
    await startEnrolment(page);
    const phone = freshPhoneNumber();
    await page.fill('#phoneNumber', phone);
    const submission = await formSubmission(page.locator('#sms-send-code'));
    await clearMessages();
    // Both posts and the GETs their redirects point at run in parallel, as after a double click.
    const responses = await Promise.all([1, 2].map(() => postForm(context, submission.action, submission.fields)));
    await Promise.all(responses.filter((response) => response.location)
      .map((response) => context.request.get(response.location, { failOnStatusCode: false })));
    await page.reload();
    await page.waitForSelector('#code');
    assert.equal((await receivedMessages(phone)).length, 1, 'the double submit sent more than one SMS');
  } finally {
    await context.close();
    await deleteUser(user);
  }
});

test('enrolment: wrong codes use up the attempts but do not lock the user', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('enrol-wrong', { sms: 'none' });
  const { context, page } = await openPage(browser);
  try {
    await openSigningIn(page, user);
    await clearMessages();
    await startEnrolment(page);
    const phone = freshPhoneNumber();
    await submitNumber(page, phone);
    const code = await codeSentTo(page, phone);
    await submitCode(page, wrongCodeFor(code));
    assert.match(await pageText(page), /Invalid code, 4 attempts left/);
    await submitCode(page, wrongCodeFor(code, 1));
    assert.match(await pageText(page), /Invalid code, 3 attempts left/);
    assert.deepEqual(await userCredentials(user.id, SMS_TYPE), [], 'a wrong code stored the number');

    // "Use a different number" goes back to the number page. Another number is the next send of
    // the same enrolment, so the resend cooldown still applies and no SMS goes out yet.
    await Promise.all([page.waitForEvent('load'), page.click('#sms-change-number')]);
    await page.waitForSelector('#phoneNumber');
    const other = freshPhoneNumber();
    await submitNumber(page, other);
    assert.match(await pageText(page), /You can request a new code in \d+ seconds/);
    assert.equal(await numberError(page), '', 'the wait was shown as an error of the number');
    assert.equal(await page.locator('#phoneNumber').inputValue(), other, 'the entered number was lost');
    assert.equal((await receivedMessages(other)).length, 0, 'the cooldown did not apply to another number');

    const status = await bruteForceStatus(user.id);
    assert.equal(status.numFailures, 0, 'enrolment codes counted as login failures');
  } finally {
    await context.close();
    await deleteUser(user);
  }
});
