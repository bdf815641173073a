import { expect, test } from '@playwright/test';
import { demo, signInDemo } from './accounts';

// On the demo console, whose scheduler pulls two days of simulated Auth0 logs for acme-prod and acme-dev: a
// developer finds the rate-limit burst by category, opens an event (its code in words, the payload as Auth0 sent
// it) and follows its IP to a filtered search; an ops lead sees the paused log stream's finding; the helpdesk looks
// a customer up. With JavaScript off too.

test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');

for (const javaScriptEnabled of [true, false]) {
  test.describe(`JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('a developer finds the rate-limit burst and follows an event', async ({ page }) => {
      await signInDemo(page, 'developer@demo.tenantry.test');
      const events = page.getByTestId('log-event');
      // The first pull runs within a minute of the start.
      await expect(async () => {
        await page.goto(`${demo}/logs`);
        await expect(events.first()).toBeVisible({ timeout: 500 });
      }).toPass({ timeout: 60_000 });
      await expect(page.getByText('Times are UTC')).toBeVisible();
      await page.getByLabel('Event type').selectOption('category:rate_limit');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(page).toHaveURL(/kind=category%3Arate_limit/);
      await expect(events.first()).toContainText('Rate Limit on the Authentication or Management APIs');
      await page.screenshot({ path: `test-results/screenshots/logs-js-${javaScriptEnabled ? 'on' : 'off'}.png`, fullPage: true });

      await events.first().getByRole('link').first().click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rate Limit on the Authentication or Management APIs (api_limit)');
      await expect(page.getByTestId('payload')).toContainText('"type": "api_limit"');
      const ip = (await page.getByTestId('event-ip').textContent())?.trim() ?? '';
      await page.getByTestId('event-ip').getByRole('link').click();
      await expect(page).toHaveURL(/\/logs\?ip=/);
      await expect(events.first()).toContainText(ip);
    });

    test('an ops lead sees the paused log stream', async ({ page }) => {
      await signInDemo(page, 'ops-lead@demo.tenantry.test');
      const paused = page
        .locator('[data-testid="stream-health-tenant"][data-tenant="acme-prod"]')
        .getByTestId('stream-finding')
        .filter({ hasText: 'is paused' });
      // acme-prod's first snapshot (which lists its streams) is read within a minute of the start.
      await expect(async () => {
        await page.goto(`${demo}/logs`);
        await expect(paused).toBeVisible({ timeout: 500 });
      }).toPass({ timeout: 60_000 });
      await expect(paused).toContainText('"Test-LogStream-1751995604" (datadog) is paused');
      // acme-dev's live stream reaches the receiver every 15 s while the demo runs.
      const dev = page.locator('[data-testid="stream-health-tenant"][data-tenant="acme-dev"]');
      await expect(async () => {
        await page.goto(`${demo}/logs`);
        await expect(dev).not.toContainText('last delivery never', { timeout: 500 });
      }).toPass({ timeout: 60_000 });
      await expect(dev).toContainText(/[1-9]\d* deliveries/);
      await expect(page.getByTestId('stream-health')).toContainText('Stream health');
    });

    test('the helpdesk looks a customer up', async ({ page }) => {
      await signInDemo(page, 'helpdesk@demo.tenantry.test');
      await expect(async () => {
        await page.goto(`${demo}/logs/user?user=customer3%40example.com`);
        await expect(page.getByTestId('user-event').first()).toBeVisible({ timeout: 500 });
      }).toPass({ timeout: 60_000 });
      // Failures first, in words (the simulator's flow is the same at every start).
      await expect(page.getByTestId('user-event').first()).toContainText('acme-prod — Failed Login');
      await page.goto(`${demo}/logs`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not allowed');
    });
  });
}
