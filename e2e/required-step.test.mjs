// A flow with the SMS step as Required (not inside a conditional sub-flow): a user without a
// number is sent to the enrolment required action, and with that action disabled the login stops
// instead of passing with the password alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import {
  DEMO_API_SECRET,
  TEST_TIMEOUT_MS,
  adminRequest,
  createUser,
  deleteUser,
  isAccountConsole,
  launchBrowser,
  openPage,
  pageText,
  smsExecutionConfig,
  submitPassword,
} from './helpers.mjs';

const FLOW = `e2e-sms-required-${randomInt(0, 1_000_000)}`;
const ACTION = 'mobile_number_config';

let browser;
let originalBrowserFlow;

before(async () => {
  browser = await launchBrowser();
  const smsConfig = await smsExecutionConfig();
  await adminRequest('POST', '/authentication/flows',
    { alias: FLOW, providerId: 'basic-flow', topLevel: true, builtIn: false, description: 'e2e' });
  const path = `/authentication/flows/${encodeURIComponent(FLOW)}/executions`;
  await adminRequest('POST', `${path}/execution`, { provider: 'auth-username-password-form' });
  await adminRequest('POST', `${path}/execution`, { provider: 'sms-2fa' });
  for (const execution of await adminRequest('GET', path)) {
    await adminRequest('PUT', path, { ...execution, requirement: 'REQUIRED' });
    if (execution.providerId === 'sms-2fa') {
      await adminRequest('POST', `/authentication/executions/${execution.id}/config`,
        { alias: `${FLOW}-sms`, config: { ...smsConfig.config, apitoken: DEMO_API_SECRET } });
    }
  }
  const realm = await adminRequest('GET', '');
  originalBrowserFlow = realm.browserFlow;
  await adminRequest('PUT', '', { browserFlow: FLOW });
});

after(async () => {
  if (originalBrowserFlow) await adminRequest('PUT', '', { browserFlow: originalBrowserFlow });
  const flows = await adminRequest('GET', '/authentication/flows');
  const flow = flows.find((candidate) => candidate.alias === FLOW);
  if (flow) await adminRequest('DELETE', `/authentication/flows/${flow.id}`);
  await browser?.close();
});

async function setActionEnabled(enabled) {
  const action = await adminRequest('GET', `/authentication/required-actions/${ACTION}`);
  await adminRequest('PUT', `/authentication/required-actions/${ACTION}`, { ...action, enabled });
}

test('required step: a user without a number enrols', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('required', { sms: 'none' });
  const { context, page } = await openPage(browser);
  try {
    await submitPassword(page, user);
    await page.waitForSelector('#phoneNumber');
  } finally {
    await context.close();
    await deleteUser(user);
  }
});

test('required step: a disabled action stops the login', { timeout: TEST_TIMEOUT_MS }, async () => {
  const user = await createUser('required-off', { sms: 'none' });
  const { context, page } = await openPage(browser);
  try {
    await setActionEnabled(false);
    await submitPassword(page, user);
    await page.waitForSelector('#kc-page-title');
    assert.equal(isAccountConsole(page.url()), false, 'the login ended with the password alone');
    assert.equal(await page.locator('#phoneNumber').count(), 0, 'the disabled action was shown');
    assert.doesNotMatch(await pageText(page), /Personal info/);
  } finally {
    await setActionEnabled(true);
    await context.close();
    await deleteUser(user);
  }
});
