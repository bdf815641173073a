import { expect, test } from '@playwright/test';

// On the demo console: helpdesk signs in, opens Custom domains, sees the demo's broken domain with the sentence
// that says how to fix it, runs the ad-hoc checker on it and gets the same verdict; bad host names get a clear
// message. The demo's domains live on a local DNS zone and TLS server.

const demo = `http://127.0.0.1:${process.env.TENANTRY_E2E_DEMO_PORT ?? '3102'}`;
const fix = 'login.acme-dev.example points to elsewhere.acme.example, but Auth0 expects acme-dev-cd-dev.edge.tenants.us.auth0.com. Change the CNAME record to acme-dev-cd-dev.edge.tenants.us.auth0.com.';

test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');

for (const javaScriptEnabled of [true, false]) {
  test.describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });
    test('helpdesk finds a broken custom domain and checks it by hand', async ({ page }) => {
      await page.goto(`${demo}/login`);
      const account = page.getByTestId('demo-accounts').getByRole('row', { name: /helpdesk@demo\.tenantry\.test/ });
      const password = (await account.locator('code').nth(1).textContent()) ?? '';
      await page.getByLabel('Email').fill('helpdesk@demo.tenantry.test');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('role')).toHaveText('Helpdesk');

      // The demo's snapshots, inventory and first checks take a moment after start.
      const row = page.getByTestId('domain').filter({ hasText: 'login.acme-dev.example' });
      await expect(async () => {
        await page.goto(`${demo}/domains`);
        await expect(row.getByTestId('dns')).toHaveAttribute('data-outcome', 'wrong_target', { timeout: 500 });
      }).toPass({ timeout: 45_000 });
      await expect(row).toContainText(fix);
      await expect(row.getByTestId('tls')).toHaveAttribute('data-outcome', 'name_mismatch');
      await page.screenshot({ path: `test-results/screenshots/${javaScriptEnabled ? 'js' : 'nojs'}-domains.png`, fullPage: true });

      await page.getByRole('link', { name: 'Check a host name' }).click();
      await page.getByLabel('Host name').fill('login.acme-dev.example');
      await page.getByRole('button', { name: 'Check', exact: true }).click();
      await expect(page.getByTestId('report-dns')).toHaveAttribute('data-outcome', 'wrong_target');
      await expect(page.getByTestId('dns-advice')).toHaveText(fix);
      await expect(page.getByTestId('report-tls')).toHaveAttribute('data-outcome', 'name_mismatch');

      for (const [typed, message] of [
        ['https://login.acme-dev.example/authorize', 'write the host name only, without https://'],
        ['login.acme-dev.example:8443', 'without a port'],
        ['intranet', 'has no dot'],
      ]) {
        await page.getByLabel('Host name').fill(typed);
        await page.getByRole('button', { name: 'Check', exact: true }).click();
        await expect(page.getByTestId('form-error')).toContainText(message);
      }
    });
  });
}
