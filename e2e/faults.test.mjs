// Gateway faults: each failed send shows the "could not be sent" page, never a 500 and never a
// wrong-code count, and "Try again" sends the code once the fault is gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS,
  bruteForceStatus,
  clearFault,
  clearMessages,
  closedLoopbackPort,
  createSmsUser,
  deleteUser,
  launchBrowser,
  onlyCodeSentTo,
  openPage,
  pageText,
  receivedMessages,
  screenshot,
  setFault,
  smsExecutionConfig,
  submitCode,
  submitPassword,
  waitForCodeForm,
  waitForLoggedIn,
  withSmsConfig,
  wrongCredentialEvents,
} from './helpers.mjs';

const SEND_FAILED_TEXT = /could not be sent/i;

// Each case breaks the send in one way. standinFault is a fault mode of the stand-in, applied to
// the next send only. configChanges returns changes of the execution config, given the current one.
const CASES = [
  { name: 'rejected message', standinFault: 'reject' },
  { name: 'gateway error 500', standinFault: 'error500' },
  {
    name: 'gateway hangs',
    standinFault: 'hang',
    // The request timeout covers the connect timeout, so both are lowered.
    configChanges: () => ({ connectTimeoutMs: '500', requestTimeoutMs: '1000' }),
  },
  { name: 'gateway 401', standinFault: 'unauthorized' },
  { name: 'gateway 403', standinFault: 'forbidden' },
  { name: 'gateway redirect', standinFault: 'redirect' },
  {
    name: 'connection refused',
    configChanges: async (config) => {
      const url = new URL(config.apiurl);
      url.port = String(await closedLoopbackPort());
      return { apiurl: url.href };
    },
  },
  { name: 'untrusted TLS certificate', configChanges: () => ({ tlsCaFile: '' }) },
];

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Checks that the page is the "could not be sent" page and that the failure counted nowhere as a
// wrong code.
async function assertSendFailedPage(page, user, name) {
  await page.waitForSelector('#sms-send-again');
  assert.match(await pageText(page), SEND_FAILED_TEXT, `${name}: the page does not say the code could not be sent`);
  assert.equal(await page.locator('#input-error-code').count(), 0, `${name}: the page shows a code error`);
  assert.equal((await receivedMessages(user.phone)).length, 0, `${name}: the stand-in stored an SMS`);

  const failures = await wrongCredentialEvents(user.id);
  assert.equal(failures.length, 0, `${name}: the failed send was recorded as a wrong code`);
  const status = await bruteForceStatus(user.id);
  assert.equal(status.numFailures ?? 0, 0, `${name}: the failed send counted as a login failure`);
}

for (const fault of CASES) {
  test(`send fails: ${fault.name}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    await clearMessages();
    const user = await createSmsUser('fault');
    const { context, page, serverErrors } = await openPage(browser);
    try {
      const original = await smsExecutionConfig();
      const changes = fault.configChanges ? await fault.configChanges(original.config) : {};
      await withSmsConfig(changes, async () => {
        if (fault.standinFault) {
          await setFault(fault.standinFault, { count: 1 });
        }
        try {
          await submitPassword(page, user);
          await assertSendFailedPage(page, user, fault.name);
          await screenshot(page, `fault-${fault.standinFault ?? 'config'}-${CASES.indexOf(fault)}`);
        } finally {
          await clearFault();
        }
      });

      // The config is restored and the fault cleared, so the retry sends the code.
      await Promise.all([page.waitForEvent('load'), page.click('#sms-send-again')]);
      await waitForCodeForm(page);
      const code = await onlyCodeSentTo(user.phone);
      await submitCode(page, code);
      await waitForLoggedIn(page, context);
      assert.deepEqual(serverErrors, [], `${fault.name}: some pages got a 5xx response`);
    } finally {
      await context.close();
      await deleteUser(user);
    }
  });
}
