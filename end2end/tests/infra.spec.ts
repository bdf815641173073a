import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { demo, signInDemo } from './accounts';

// On the demo console: an ops lead opens Infrastructure, finds the production tenant on Auth0's built-in email
// provider and the revoked DKIM key of another's sender domain (in the demo's own DNS zone), reads the allow-list for the regions in use, compares the two versions of Auth0's IP list (one US
// address swapped), downloads the allow-list as CSV, finds the failing reachability check of acme-prod's custom
// database API (on the page and the board's step 6), and finds the IP change among the notifications.

test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');

for (const javaScriptEnabled of [true, false]) {
  test.describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled, acceptDownloads: true });
    test('an ops lead reviews email and the firewall allow-list', async ({ page }) => {
      // The mail records are read within a minute of the demo's first snapshots.
      test.setTimeout(150_000);
      await signInDemo(page, 'ops-lead@demo.tenantry.test');
      // The demo's first snapshots take a moment after start.
      const workforce = page.getByTestId('email-row').filter({ hasText: 'acme-workforce-prod' });
      await expect(async () => {
        await page.goto(`${demo}/infra`);
        await expect(workforce).toHaveAttribute('data-verdict', 'required', { timeout: 500 });
      }).toPass({ timeout: 45_000 });
      await expect(workforce).toContainText("Auth0's built-in provider");
      await expect(workforce).toContainText('10 emails a minute');
      await expect(page.getByTestId('email-row').filter({ hasText: /^acme-prod/ })).toHaveAttribute('data-verdict', 'ok');
      // acme-prod sends through SendGrid as acme.example, whose DKIM key the demo's DNS zone publishes revoked.
      const records = page.locator('[data-testid="mail-records"][data-tenant="acme-prod"]');
      await expect(async () => {
        await page.goto(`${demo}/infra`);
        await expect(records.locator('[data-record="DKIM"]')).toHaveAttribute('data-verdict', 'required', { timeout: 500 });
      }).toPass({ timeout: 90_000 });
      await expect(records.locator('[data-record="DKIM"]')).toContainText('revoked');
      await expect(records.locator('[data-record="SPF"]')).toHaveAttribute('data-verdict', 'ok');
      await expect(records.locator('[data-record="DMARC"]')).toContainText('p=quarantine');

      await expect(page.getByRole('heading', { name: 'Allow-list for your regions (EU, US)' })).toBeVisible();
      const allow = page.getByTestId('allow-list');
      await expect(allow).toContainText('192.0.2.16/32');
      await expect(allow).not.toContainText('192.0.2.15/32');
      await expect(allow).toContainText('198.51.100.20/32');
      await expect(allow).not.toContainText('203.0.113.30/32');
      await expect(page.getByTestId('ip-versions')).toContainText(
        'US: added 192.0.2.16/32 (from 2027-01-15); removed 192.0.2.15/32 (from 2027-03-01)',
      );
      await page.getByRole('button', { name: 'Compare' }).click();
      await expect(page.getByTestId('ip-diff')).toContainText('US: added 192.0.2.16/32');
      await page.screenshot({ path: `test-results/screenshots/${javaScriptEnabled ? 'js' : 'nojs'}-infra.png`, fullPage: true });

      await page.getByLabel('Format').selectOption('csv');
      await page.getByLabel('TCP ports').fill('443,587');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('auth0-outbound.csv');
      const csv = readFileSync((await download.path()) ?? '', 'utf8');
      expect(csv.split('\n')[0]).toBe('region,cidr');
      expect(csv).toContain('us,192.0.2.16/32');
      expect(csv).toContain('eu,198.51.100.20/32');

      // The firewall guide names acme-dev's SMTP server on port 25, with the region's ranges.
      const dev = page.locator('[data-testid="firewall"][data-tenant="acme-dev"]');
      await expect(dev).toContainText('6 range(s) for US');
      await expect(dev.getByTestId('firewall-entry')).toContainText('mail.acme-dev.example');
      await expect(dev.getByTestId('firewall-entry')).toContainText('often blocked');
      // acme-prod's custom database and Action, with the origins their code names; acme-sandbox1's application
      // lacks the scopes, so those parts are unknown.
      const prod = page.locator('[data-testid="firewall"][data-tenant="acme-prod"]');
      await expect(prod.getByTestId('firewall-entry').filter({ hasText: 'Custom database "legacy-users" (get_user, login scripts)' })).toContainText('https://users-api.acme.example');
      await expect(prod.getByTestId('firewall-entry').filter({ hasText: 'Action "Add CRM roles" (post-login)' })).toContainText('https://crm.acme.example:8443');
      await expect(prod.getByTestId('firewall-entry').filter({ hasText: 'Block disposable emails' })).toContainText('no URL in its code');
      const sandbox = page.locator('[data-testid="firewall"][data-tenant="acme-sandbox1"]');
      await expect(sandbox).toContainText('unknown: needs read:connections');
      await expect(sandbox).toContainText('unknown: needs read:actions');

      // Reachability of acme-prod's own endpoints, run from where Tenantry runs: the custom database's API refuses
      // (in alert), the log-stream receiver answers over HTTPS and the mail relay offers STARTTLS.
      const reach = page.getByTestId('reach');
      await expect(page.locator('#reach')).toContainText('These checks run from where Tenantry runs, not from Auth0');
      await expect(reach.getByTestId('check').filter({ hasText: 'Custom database API' })).toContainText('In alert');
      await expect(reach.getByTestId('check').filter({ hasText: 'Custom database API' })).toContainText('refused');
      await expect(reach.getByTestId('check').filter({ hasText: 'Log-stream receiver' })).toContainText('OK');
      await expect(reach.getByTestId('check').filter({ hasText: 'Mail relay' })).toContainText('OK');
      await reach.getByRole('link', { name: 'Custom database API' }).click();
      await expect(page.getByTestId('advice')).toContainText('nothing listens on that port');
      await page.goto(`${demo}/`);
      const step = page.getByTestId('step-6');
      await expect(step).toHaveAttribute('data-state', 'major_outage');
      await expect(step).toContainText('Custom database API (acme-prod): refused');

      await page.goto(`${demo}/notifications`);
      await expect(page.getByRole('link', { name: "Auth0's outbound IP ranges changed (US)" })).toBeVisible();
    });
  });
}
