import { expect, test, type Page } from '@playwright/test';
import { signIn } from './accounts';

// A developer registers a tenant that lives on the Auth0 simulator, refreshes it, sees its snapshot, changes a
// setting on the simulator, refreshes again and sees the change in the history; a wrong client secret shows
// "bad credentials" on the tenant, not an error page.

const simulator = `http://127.0.0.1:${process.env.TENANTRY_E2E_SIMULATOR_PORT ?? '3101'}`;

async function simTenant(page: Page, domain: string, clientId: string, secret: string) {
  const created = await page.request.post(`${simulator}/__simulator/tenants`, {
    data: { domain, client_id: clientId, client_secret: secret },
  });
  expect(created.status()).toBe(201);
}

async function addTenant(page: Page, domain: string, clientId: string, secret: string) {
  await page.goto('/tenants/new');
  await page.getByLabel('Auth0 domain').fill(domain);
  await page.getByLabel('Environment').selectOption('development');
  await page.getByLabel('User domain').fill('partners');
  await page.getByLabel('M2M client id').fill(clientId);
  await page.getByLabel('M2M client secret').fill(secret);
  await page.getByLabel('API address').fill(simulator);
  await page.getByRole('button', { name: 'Add tenant' }).click();
  await expect(page).toHaveURL(/\/tenants\/[0-9a-f-]{36}$/);
}

/** Reloads until `text` shows (the server's scheduler polls within a second or two). */
async function until(page: Page, testId: string, text: string) {
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId(testId)).toContainText(text, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
  test.use({ javaScriptEnabled });
  test('a developer follows a tenant from registration to its first change', async ({ page }) => {
    const name = `partner-dev${javaScriptEnabled ? 1 : 2}`;
    const domain = `${name}.us.auth0.com`;
    await simTenant(page, domain, `${name}-m2m`, 'right-secret');
    await signIn(page, 'developer');
    await addTenant(page, domain, `${name}-m2m`, 'right-secret');
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await until(page, 'snapshot', `support@${name}.example`);
    await page.screenshot({ path: `test-results/screenshots/${javaScriptEnabled ? 'js' : 'nojs'}-tenant.png`, fullPage: true });

    const changed = await page.request.post(`${simulator}/__simulator/tenants/${domain}/settings`, {
      data: { support_email: 'partners@acme.example' },
    });
    expect(changed.status()).toBe(204);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await until(page, 'history', 'partners@acme.example');
    await expect(page.getByTestId('history')).toContainText('settings.support_email');

    await page.goto('/tenants/drift?user_domain=partners&all=1');
    await expect(page.locator('tr[data-field="settings.support_email"]')).toContainText('partners@acme.example');

    await page.goto('/tenants?q=' + name);
    await expect(page.getByTestId('inventory')).toContainText(name);
  });
  });
}

test('a wrong client secret shows "bad credentials" on the tenant, not an error page', async ({ page }) => {
  await simTenant(page, 'partner-qa.us.auth0.com', 'partner-qa-m2m', 'right-secret');
  await signIn(page, 'developer');
  await addTenant(page, 'partner-qa.us.auth0.com', 'partner-qa-m2m', 'wrong-secret');
  await until(page, 'poll-failure', 'bad credentials');
  const response = await page.reload();
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId('snapshot')).toContainText('No snapshot yet');
});
