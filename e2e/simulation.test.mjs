// Simulation mode is refused when Keycloak runs in production mode, as the test stack does: the
// user sees the "not available" page, no SMS is sent, and the log names the setting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  KEYCLOAK_LOG,
  TEST_TIMEOUT_MS,
  clearMessages,
  createSmsUser,
  deleteUser,
  launchBrowser,
  openPage,
  pageText,
  receivedMessages,
  screenshot,
  submitPassword,
  withSmsConfig,
} from './helpers.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('simulation refused in production mode', { timeout: TEST_TIMEOUT_MS }, async () => {
  await clearMessages();
  const user = await createSmsUser('simulation');
  const { context, page, serverErrors } = await openPage(browser);
  try {
    await withSmsConfig({ simulation: 'true' }, async () => {
      await submitPassword(page, user);
      await page.waitForFunction(() => /not available/i.test(document.body.innerText));
      await screenshot(page, 'simulation-refused');
    });

    assert.match(await pageText(page), /contact your administrator/i);
    assert.equal(await page.locator('#code').count(), 0, 'the code form is shown although no code was sent');
    assert.equal((await receivedMessages(user.phone)).length, 0, 'an SMS was sent in simulation mode');
    assert.deepEqual(serverErrors, [], 'some pages got a 5xx response');

    if (KEYCLOAK_LOG) {
      const log = await readFile(KEYCLOAK_LOG, 'utf8');
      assert.match(log, /simulation mode on \(field 'simulation'\)/, 'the log does not name the simulation setting');
      assert.doesNotMatch(log, /SMS suppressed \(simulation mode\)/, 'a message was suppressed instead of refused');
    }
  } finally {
    await context.close();
    await deleteUser(user);
  }
});
