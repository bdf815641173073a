import { expect, test } from '@playwright/test';
import { demo, signInDemo } from './accounts';

// On the demo console: an admin sees every delivery channel with its health (the demo's old pager webhook, whose
// receiver is gone, is failing), sends a test to the ops webhook and reads the receiver's answer, and finds the
// delivery log on a notification; the advisory feeds page shows the demo's broken feed in error while its other
// feeds' advisories are in the history. With JavaScript off too.

test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');

for (const javaScriptEnabled of [true, false]) {
  test.describe(`JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('an admin checks the channels, sends a test and follows a delivery', async ({ page }) => {
      await signInDemo(page, 'admin@demo.tenantry.test');
      await page.goto(`${demo}/notifications`);
      await page.getByRole('navigation', { name: 'Notifications' }).getByRole('link', { name: 'Delivery channels' }).click();
      const channels = page.getByTestId('channel');
      await expect(channels).toHaveCount(5);
      // The dead receiver: its deliveries fail as soon as the collector has queued some (every 30 s).
      await expect(async () => {
        await page.reload();
        await expect(channels.filter({ hasText: 'Old pager webhook' }).locator('[data-health="failing"]')).toBeVisible({ timeout: 500 });
      }).toPass({ timeout: 60_000 });
      await expect(channels.filter({ hasText: 'Old pager webhook' })).toContainText('refused');
      await page.screenshot({ path: `test-results/screenshots/channels-js-${javaScriptEnabled ? 'on' : 'off'}.png`, fullPage: true });

      await channels.filter({ hasText: 'Ops webhook' }).getByRole('link', { name: 'Ops webhook' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ops webhook');
      await page.getByRole('button', { name: 'Send test' }).click();
      await expect(page.getByTestId('test-result')).toContainText('Test sent: the receiver answered 200');
      await expect(page.getByTestId('deliveries').getByTestId('delivery').first()).toContainText('test message');

      // A delivered notice shows where it went.
      const delivered = page.getByTestId('deliveries').getByTestId('delivery').filter({ hasNot: page.getByText('test message') }).first();
      await expect(async () => {
        await page.reload();
        await expect(delivered).toBeVisible({ timeout: 500 });
      }).toPass({ timeout: 60_000 });
      await delivered.getByRole('link').click();
      await expect(page.getByTestId('deliveries')).toContainText('Ops webhook');
    });
  });
}

test('the feeds page shows a broken feed in error and the advisories in the history', async ({ page }) => {
  await signInDemo(page, 'helpdesk@demo.tenantry.test');
  await page.goto(`${demo}/notifications/feeds`);
  const broken = page.getByTestId('feed').filter({ hasText: 'Vendor bulletins (broken feed)' });
  await expect(async () => {
    await page.reload();
    await expect(broken).toContainText('In error', { timeout: 500 });
  }).toPass({ timeout: 60_000 });
  await expect(broken).toContainText('not valid RSS or Atom');
  await expect(page.getByRole('button', { name: 'Read now' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/feeds.png', fullPage: true });
  await page.goto(`${demo}/notifications?source=security_advisory`);
  await expect(page.getByTestId('notification').filter({ hasText: 'nextjs-auth0' })).toBeVisible();
});
