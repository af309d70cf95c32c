// Migration from the netzbegruenung SMS authenticator: a realm imported with that plugin's
// credentials (type mobile-number, the number under mobileNumber or mobile_number), its config keys
// and a pending mobile_number_config action. Only the execution's provider id is changed to sms-2fa.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import {
  KEYCLOAK_URL,
  STANDIN_TOKEN,
  TEST_TIMEOUT_MS,
  clearMessages,
  freshPhoneNumber,
  keycloakAdminRequest,
  launchBrowser,
  onlyCodeSentTo,
  openPage,
  pageText,
  smsExecutionConfig,
  waitForAccountConsole,
} from './helpers.mjs';

const REALM = `e2e-legacy-${randomInt(0, 1_000_000)}`;
const ACCOUNT = `${KEYCLOAK_URL}/realms/${REALM}/account`;
const PASSWORD = 'legacy-password';

let browser;
const users = {};

// Builds the realm as an export from a Keycloak with the netzbegruenung plugin would look after the
// admin replaced the execution's provider id: the demo realm's flows, a config with that plugin's
// keys only, and users with its credential format.
async function legacyRealm() {
  const demo = JSON.parse(await readFile(new URL('../demo/realm-demo.json', import.meta.url), 'utf8'));
  const current = (await smsExecutionConfig()).config;
  users.camel = { username: 'camel', phone: freshPhoneNumber(), key: 'mobileNumber' };
  users.snake = { username: 'snake', phone: freshPhoneNumber(), key: 'mobile_number' };
  users.pending = { username: 'pending', phone: null };
  const user = ({ username, phone, key }) => ({
    username,
    enabled: true,
    email: `${username}@example.org`,
    emailVerified: true,
    firstName: 'Legacy',
    lastName: username,
    credentials: [
      { type: 'password', value: PASSWORD, temporary: false },
      ...(phone ? [{ type: 'mobile-number', credentialData: JSON.stringify({ [key]: phone.slice(3) }) }] : []),
    ],
    requiredActions: phone ? [] : ['mobile_number_config'],
  });
  return {
    ...demo,
    realm: REALM,
    displayName: 'Legacy SMS',
    users: Object.values(users).map(user),
    authenticatorConfig: demo.authenticatorConfig.map((config) => (config.alias !== 'sms-2fa' ? config : {
      alias: 'sms-2fa',
      config: {
        // The netzbegruenung plugin's keys and values; countrycode fills in the region of the
        // national numbers stored above.
        length: '6',
        ttl: '300',
        senderId: 'Keycloak',
        simulation: 'false',
        countrycode: '+48',
        apiurl: current.apiurl,
        urlencode: 'false',
        apitokenattribute: 'access_token',
        apitoken: STANDIN_TOKEN,
        messageattribute: 'text',
        receiverattribute: 'to',
        senderattribute: 'from',
        forceSecondFactor: 'false',
        normalizePhoneNumber: 'true',
        tlsCaFile: current.tlsCaFile,
      },
    })),
  };
}

before(async () => {
  browser = await launchBrowser();
  await keycloakAdminRequest('POST', '', await legacyRealm());
  await keycloakAdminRequest('POST', `/${REALM}/authentication/register-required-action`,
    { providerId: 'mobile_number_config', name: 'Phone number for SMS codes' });
});

after(async () => {
  await keycloakAdminRequest('DELETE', `/${REALM}`).catch(() => {});
  await browser?.close();
});

async function credentialsOf(username) {
  const [user] = await keycloakAdminRequest('GET', `/${REALM}/users?username=${username}&exact=true`);
  const credentials = await keycloakAdminRequest('GET', `/${REALM}/users/${user.id}/credentials`);
  return { id: user.id, credentials };
}

async function logIn(page, username) {
  await page.goto(ACCOUNT);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
}

for (const variant of ['camel', 'snake']) {
  test(`migration: a mobile-number credential (${variant} key) logs in and is taken over`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { username, phone } = users[variant];
    const before = await credentialsOf(username);
    const legacy = before.credentials.find((credential) => credential.type === 'mobile-number');
    assert.ok(legacy, 'the import did not keep the mobile-number credential');

    const { context, page, serverErrors } = await openPage(browser);
    try {
      await clearMessages();
      await logIn(page, username);
      await page.waitForSelector('#code');
      assert.match(await pageText(page), new RegExp(`\\+48\\*+${phone.slice(-3)}`));
      await page.fill('#code', await onlyCodeSentTo(phone));
      await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
      await waitForAccountConsole(page, ACCOUNT);

      const after = await credentialsOf(username);
      const migrated = after.credentials.filter((credential) => credential.type !== 'password');
      assert.equal(migrated.length, 1, JSON.stringify(migrated));
      assert.equal(migrated[0].id, legacy.id, 'the credential id changed');
      assert.equal(migrated[0].type, 'sms-phone-number');
      assert.equal(JSON.parse(migrated[0].credentialData).phoneNumber, phone);
      assert.deepEqual(serverErrors, []);
    } finally {
      await context.close();
    }
  });
}

test('migration: a pending mobile_number_config action asks for a number', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await openPage(browser);
  try {
    await logIn(page, users.pending.username);
    await page.waitForSelector('#phoneNumber');
    // countrycode +48 presets the country list.
    assert.equal(await page.locator('#country').inputValue(), 'PL');
  } finally {
    await context.close();
  }
});
