// Translations: the login page and the SMS text follow the user's language, and a text that the
// realm overrides (Realm settings, Localization, Realm overrides) replaces the bundled one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  KEYCLOAK_URL,
  REALM,
  TEST_TIMEOUT_MS,
  adminRequest,
  adminToken,
  clearMessages,
  codeFromText,
  createUser,
  deleteUser,
  launchBrowser,
  logInWithPassword,
  openPage,
  receivedMessages,
  submitCode,
  waitForLoggedIn,
  withRealmSettings,
} from './helpers.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Sets the realm override of KEY in LOCALE to TEXT.
async function overrideText(locale, key, text) {
  const response = await fetch(`${KEYCLOAK_URL}/admin/realms/${REALM}/localization/${locale}/${key}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${await adminToken()}`, 'Content-Type': 'text/plain' },
    body: text,
  });
  assert.ok(response.ok, `setting the override of ${key} failed with ${response.status}`);
}

async function removeOverride(locale, key) {
  await adminRequest('DELETE', `/localization/${locale}/${key}`).catch(() => {});
}

test('the page and the SMS follow the user\'s language', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await openPage(browser);
  let user;
  try {
    // The user profile keeps the locale attribute only while the realm has internationalization on.
    await withRealmSettings({ internationalizationEnabled: true, supportedLocales: ['en', 'de'], defaultLocale: 'en' },
      async () => {
        user = await createUser('german', { attributes: { locale: ['de'] } });
        await clearMessages();
        await logInWithPassword(page, user);
        const heading = (await page.locator('#kc-page-title').textContent()).trim();
        assert.equal(heading, 'SMS-Code');
        const [message] = await receivedMessages(user.phone);
        assert.match(message.text, /ist Ihr Anmeldecode für/);
        await submitCode(page, codeFromText(message.text));
        await waitForLoggedIn(page, context);
      });
  } finally {
    await context.close();
    await deleteUser(user);
  }
});

test('a realm override replaces the page heading and the SMS text', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('override');
  const { context, page } = await openPage(browser);
  try {
    await overrideText('en', 'smsAuthTitle', 'Code from your phone');
    await overrideText('en', 'smsAuthText', 'Intranet code {0}, valid {1} min.');
    await clearMessages();
    await logInWithPassword(page, user);
    assert.equal((await page.locator('#kc-page-title').textContent()).trim(), 'Code from your phone');
    const [message] = await receivedMessages(user.phone);
    assert.match(message.text, /^Intranet code \d{6}, valid 5 min\.$/);
    await submitCode(page, codeFromText(message.text));
    await waitForLoggedIn(page, context);
  } finally {
    await removeOverride('en', 'smsAuthTitle');
    await removeOverride('en', 'smsAuthText');
    await context.close();
    await deleteUser(user);
  }
});
