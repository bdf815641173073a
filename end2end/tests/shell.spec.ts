import { expect, test, type Page } from '@playwright/test';
import { signIn } from './accounts';

// The console shell as a person meets it: every navigation entry opens a complete page, with JavaScript
// on and off. A screenshot of each page is kept in test-results/screenshots/ (not committed). An admin
// sees every entry.

async function navEntries(page: Page): Promise<{ label: string; href: string }[]> {
  await page.goto('/');
  const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  const entries = [];
  for (const link of await links.all()) {
    entries.push({ label: (await link.innerText()).trim(), href: (await link.getAttribute('href')) ?? '' });
  }
  return entries;
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js' : 'nojs';

  test.describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });
    test.beforeEach(async ({ page }) => signIn(page, 'admin'));

    test('every navigation entry opens its page', async ({ page }) => {
      const entries = await navEntries(page);
      expect(entries.map((e) => e.label)).toEqual([
        'Overview', 'Tenants', 'Custom domains', 'Status', 'Monitoring', 'Notifications', 'Logs',
        'Infrastructure', 'Checklists', 'Settings', 'About / System',
      ]);
      for (const { label, href } of entries) {
        const response = await page.goto(href);
        expect(response?.status(), href).toBe(200);
        // The status board is both the Overview and the Status page.
        const heading = ['/', '/status'].includes(href) ? 'Status board' : label;
        await expect(page).toHaveTitle(`${heading} · Tenantry`);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
        const current = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });
        await expect(current).toHaveAttribute('aria-current', 'page');
        await expect(page.getByTestId('not-built')).toHaveCount(0);
        const slug = href === '/' ? 'overview' : href.slice(1);
        await page.screenshot({ path: `test-results/screenshots/${mode}-${slug}.png`, fullPage: true });
      }
    });

    test('the System page shows the server and its database', async ({ page }) => {
      await page.goto('/system');
      await expect(page.getByTestId('version')).toHaveText(/^\d+\.\d+\.\d+/);
      await expect(page.getByTestId('database')).toContainText('Up');
      await expect(page.getByTestId('database')).toContainText('PostgreSQL');
      await expect(page.getByTestId('migrations')).toContainText('system');
      await expect(page.getByTestId('uptime')).toHaveText(/\d+ (s|min)/);
    });

    test('clicking the navigation moves between pages', async ({ page }) => {
      await page.goto('/');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Custom domains' }).click();
      await expect(page).toHaveURL(/\/domains$/);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Custom domains');
    });

    test('an unknown address shows a 404 page inside the console', async ({ page }) => {
      const response = await page.goto('/nowhere');
      expect(response?.status()).toBe(404);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    });
  });
}

test('the keyboard reaches the content first, then the navigation', async ({ page }) => {
  await signIn(page, 'developer');
  await page.goto('/tenants');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#content$/);
});
