import { expect, test } from '@playwright/test';
import { demo, signInDemo } from './accounts';

// On the demo console, whose acme-prod had a rate-limit burst half an hour before the start (the simulator's flow,
// pulled by the scheduler in its first minute): the board's step 5 turns red for acme-prod and leads to the
// peak-load report, which names the peak minute, the limit that fired, its bucket and the client behind it; a
// click on the peak minute opens the log search for that minute. With JavaScript off too.

test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');

for (const javaScriptEnabled of [true, false]) {
  test.describe(`JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('step 5 turns red for acme-prod and the report names the peak and its limits', async ({ page }) => {
      await signInDemo(page, 'developer@demo.tenantry.test');
      const step = page.getByTestId('step-5');
      await expect(async () => {
        await page.goto(`${demo}/?tenant=acme-prod.us.auth0.com`);
        await expect(step).toHaveAttribute('data-state', 'major_outage', { timeout: 500 });
      }).toPass({ timeout: 90_000 });
      await expect(step).toContainText('Recent rate-limit events');
      await expect(step).toContainText(/rate-limit or block events? in the last hour \(api_limit/);

      await step.getByRole('link', { name: 'Peak load' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Peak load');
      await expect(page.getByTestId('peak-range')).toContainText('acme-prod');
      const limit = page.getByTestId('peak-limit').first();
      await expect(limit).toContainText('api_limit');
      await expect(limit).toContainText('per_ip_per_client_id');
      await expect(limit).toContainText('POST /oauth/token');
      await expect(limit).toContainText(/Storefront|Mobile App/);
      const peak = page.getByTestId('peak-minute').first();
      await expect(peak).toHaveClass(/outcome-failure/);
      await expect(page.getByTestId('events-chart').getByTestId('limit-mark').first()).toBeAttached();
      await page.screenshot({ path: `test-results/screenshots/peak-js-${javaScriptEnabled ? 'on' : 'off'}.png`, fullPage: true });

      const minute = ((await peak.getByRole('link').textContent()) ?? '').trim();
      await peak.getByRole('link').click();
      await expect(page).toHaveURL(/\/logs\?tenant=.*&from=/);
      await expect(page.getByLabel('From (UTC)')).toHaveValue(minute);
      await expect(page.getByTestId('log-event').filter({ hasText: 'api_limit' }).first()).toBeVisible();
    });
  });
}
