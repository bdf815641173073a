import { expect, test } from '@playwright/test';
import { signIn } from './accounts';

// API tokens in the browser: an ops lead makes a personal token on Settings → API tokens (shown once), a script
// uses it on the JSON API, the list shows its last use, and after "Revoke" the API refuses it with a problem
// detail. The reference page renders the OpenAPI document.

test('an ops lead makes a token, a script uses it, and a revoked token is refused', async ({ page, request }) => {
  await signIn(page, 'ops_lead', '/settings/tokens');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API tokens');
  await page.getByLabel('Name').fill('e2e-dashboard');
  await page.getByLabel('Role').selectOption('helpdesk');
  await page.getByRole('button', { name: 'Make the token' }).click();
  const token = (await page.getByTestId('api-token').textContent()) ?? '';
  expect(token).toMatch(/^tenantry_[0-9a-f]{64}$/);

  const answer = await request.get('/api/v1/notifications?limit=5', { headers: { authorization: `Bearer ${token}` } });
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toHaveProperty('items');
  const forbidden = await request.get('/api/v1/tenants', { headers: { authorization: `Bearer ${token}` } });
  expect(forbidden.status()).toBe(403);

  await page.getByRole('link', { name: 'Back to your API tokens' }).click();
  const row = page.locator('[data-testid="token"][data-name="e2e-dashboard"]');
  await expect(row).toHaveAttribute('data-state', 'active');
  await expect(row).toContainText('from 127.0.0.1');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toHaveAttribute('data-state', 'revoked');
  const refused = await request.get('/api/v1/notifications', { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).detail).toContain('was revoked');

  await page.goto('/api/v1/docs');
  await expect(page.getByRole('heading', { name: 'Tenantry JSON API' })).toBeVisible();
  await expect(page.getByTestId('operation').first()).toBeVisible();
});
