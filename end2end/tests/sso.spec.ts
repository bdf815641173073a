import { expect, test } from '@playwright/test';
import { demo } from './accounts';

// Single sign-on on the demo console, through the simulator's OpenID Connect provider: "Sign in with Auth0
// (simulator)" leads to the provider's sign-in page, the ops lead's provider account (its roles claim says
// tenantry-ops-lead) lands signed in as an ops lead, and signing out ends the console's session and the provider's,
// so the next single sign-on asks for the password again.

test('a single sign-on through the simulated provider lands with the claimed role and signs out at both ends', async ({ page }) => {
  test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');
  const email = 'sso-ops-lead@demo.tenantry.test';
  await page.goto(`${demo}/login`);
  await page.getByRole('link', { name: 'Sign in with Auth0 (simulator)' }).click();

  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  const password = (await page.getByRole('row', { name: new RegExp(email.replace(/\./g, '\\.')) }).locator('code').textContent()) ?? '';
  expect(password).toMatch(/^sso-/);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page).toHaveURL(`${demo}/`);
  await expect(page.getByTestId('role')).toHaveText('Ops lead');
  await expect(page.locator('.who')).toContainText('SSO Ops lead');
  await page.screenshot({ path: 'test-results/screenshots/sso-signed-in.png' });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${demo}/login?signed_out=1`);
  await expect(page.getByText('You are signed out.')).toBeVisible();
  await expect(page.getByTestId('role')).toHaveCount(0);
  // The provider forgot the person too: the next single sign-on asks again.
  await page.getByRole('link', { name: 'Sign in with Auth0 (simulator)' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
});
