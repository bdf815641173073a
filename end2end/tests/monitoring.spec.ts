import { expect, test, type Page } from '@playwright/test';
import { signIn } from './accounts';

// An ops lead registers a tenant on the simulator, adds a synthetic login for it, runs it and sees OK; the
// simulator then blocks the test user; after three runs the check is in alert, its reason says how to unblock,
// and the status board's checklist shows it.

const simulator = `http://127.0.0.1:${process.env.TENANTRY_E2E_SIMULATOR_PORT ?? '3101'}`;
const domain = 'mon-e2e.us.auth0.com';

async function sim(page: Page, path: string, data: unknown, status: number) {
  const response = await page.request.post(`${simulator}/__simulator/${path}`, { data });
  expect(response.status(), path).toBe(status);
}

async function failures(page: Page): Promise<number> {
  return page.getByTestId('failures').locator('tr').count();
}

test('a blocked test user puts the synthetic login in alert with the way to unblock it', async ({ page }) => {
  await sim(page, 'tenants', { domain, client_id: 'mon-m2m', client_secret: 'mon-secret' }, 201);
  await sim(page, `tenants/${domain}/users`, { username: 'probe@e2e.test', password: 'probe-pass' }, 201);
  await signIn(page, 'ops_lead');

  await page.goto('/tenants/new');
  await page.getByLabel('Auth0 domain').fill(domain);
  await page.getByLabel('Environment').selectOption('production');
  await page.getByLabel('User domain').fill('monitored');
  await page.getByLabel('M2M client id').fill('mon-m2m');
  await page.getByLabel('M2M client secret').fill('mon-secret');
  await page.getByLabel('API address').fill(simulator);
  await page.getByRole('button', { name: 'Add tenant' }).click();
  await expect(page).toHaveURL(/\/tenants\/[0-9a-f-]{36}$/);

  await page.goto('/monitoring/new');
  await page.locator('#c-tenant').selectOption({ label: `mon-e2e (${domain})` });
  await page.locator('#c-kind').selectOption('login');
  await page.locator('#c-name').fill('E2E login');
  await page.locator('#c-username').fill('probe@e2e.test');
  await page.locator('#c-password').fill('probe-pass');
  await page.locator('#c-client-id').fill('mon-m2m');
  await page.locator('#c-client-secret').fill('mon-secret');
  await page.getByRole('button', { name: 'Add check' }).click();
  await expect(page).toHaveURL(/\/monitoring\/[0-9a-f-]{36}$/);
  const checkUrl = page.url();

  await page.getByRole('button', { name: 'Run now' }).click();
  const state = page.getByTestId('check-state').locator('[data-state]').first();
  await expect(async () => {
    await page.goto(checkUrl);
    await expect(state).toHaveAttribute('data-state', 'ok', { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId('check-state')).toContainText('Outcome: ok');

  await sim(page, `tenants/${domain}/users/probe@e2e.test/state`, JSON.stringify('blocked'), 204);
  // Counted from here: a failure recorded before the user was blocked must not count towards the three.
  await page.goto(checkUrl);
  const before = await failures(page);
  for (let n = 1; n <= 3; n++) {
    await page.getByRole('button', { name: 'Run now' }).click();
    await expect(async () => {
      await page.goto(checkUrl);
      expect(await failures(page)).toBeGreaterThanOrEqual(before + n);
    }).toPass({ timeout: 20_000 });
  }
  // The third failure opens the alert in the run's own transaction; the page shows it once reloaded.
  await expect(async () => {
    await page.goto(checkUrl);
    await expect(state).toHaveAttribute('data-state', 'alert', { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId('advice')).toContainText('Unblock it in the Auth0 Dashboard');
  await expect(page.getByTestId('alerts')).toContainText('open');
  await page.screenshot({ path: 'test-results/screenshots/monitoring-alert.png', fullPage: true });

  await page.goto('/');
  const step = page.getByTestId('step-3');
  await expect(step).toHaveAttribute('data-state', 'major_outage');
  await expect(step).toContainText('E2E login (mon-e2e): blocked');
  await step.getByRole('link', { name: 'Monitoring' }).click();
  await expect(page).toHaveURL(checkUrl);
});
