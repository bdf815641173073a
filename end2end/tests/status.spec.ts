import { expect, test, type Browser, type Page } from '@playwright/test';
import { signIn } from './accounts';

// Helpdesk watches the status board while a provider goes down: an ops lead adds the provider (a Statuspage on
// the simulator), the simulator flips its component to major outage, Tenantry polls it, and the board shows the
// outage worst first — by itself every 2 s with JavaScript, after a reload without — and the checklist's
// "external services" step turns red and links to the provider's tile.

const simulator = `http://127.0.0.1:${process.env.TENANTRY_E2E_SIMULATOR_PORT ?? '3101'}`;

async function component(page: Page, slug: string, status: string) {
  const flipped = await page.request.post(`${simulator}/__simulator/status/${slug}/components/sms`, { data: JSON.stringify(status) });
  expect(flipped.status()).toBe(204);
}

/** An ops lead's page on Status → Sources, in a browser of its own. */
async function opsLead(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'ops_lead', '/status/sources');
  await page.goto('/status/sources');
  return page;
}

async function pollNow(ops: Page, name: string) {
  await ops.goto('/status/sources');
  await ops.getByRole('row', { name: new RegExp(name) }).getByRole('button', { name: 'Poll now' }).click();
  await expect(ops).toHaveURL(/\/status\/sources/);
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });
    test('helpdesk sees a provider outage on the board and in the checklist', async ({ page, browser }) => {
      const slug = `e2e-sms-${javaScriptEnabled ? 'js' : 'nojs'}`;
      const name = `SMS gateway ${javaScriptEnabled ? 'A' : 'B'}`;
      const created = await page.request.post(`${simulator}/__simulator/status/${slug}`, {
        data: { name, components: [['sms', 'SMS delivery', 'operational']] },
      });
      expect(created.status()).toBe(204);

      const ops = await opsLead(browser);
      await ops.locator('#src-name').fill(name);
      await ops.locator('#src-kind').selectOption('statuspage');
      await ops.locator('#src-category').selectOption('sms');
      await ops.locator('#src-url').fill(`${simulator}/__status/${slug}/api/v2/summary.json`);
      await ops.getByRole('button', { name: 'Add source' }).click();
      await expect(ops.getByTestId('sources')).toContainText(name);

      await signIn(page, 'helpdesk');
      const tile = page.getByTestId('tile').filter({ hasText: name });
      await expect(async () => {
        await page.reload();
        await expect(tile).toHaveAttribute('data-state', 'operational', { timeout: 500 });
      }).toPass({ timeout: 20_000 });

      await component(page, slug, 'major_outage');
      await pollNow(ops, name);
      if (javaScriptEnabled) {
        // No reload: the board refreshes itself.
        await expect(tile).toHaveAttribute('data-state', 'major_outage', { timeout: 15_000 });
        await expect(page.locator('.refresh-note')).toContainText('Last refresh');
      } else {
        await expect(async () => {
          await page.reload();
          await expect(tile).toHaveAttribute('data-state', 'major_outage', { timeout: 500 });
        }).toPass({ timeout: 20_000 });
      }
      await expect(tile).toContainText('Major outage');
      await expect(tile).toContainText('SMS delivery: Major outage');
      // Worst first: the outage is the first provider tile.
      await expect(page.locator('[aria-labelledby="providers-h"] [data-testid="tile"]').first()).toContainText(name);
      const step = page.getByTestId('step-2');
      await expect(step).toHaveAttribute('data-state', 'major_outage');
      await expect(step).toHaveClass(/bad/);
      await expect(step).toContainText(`${name}: Major outage`);
      await page.screenshot({ path: `test-results/screenshots/${javaScriptEnabled ? 'js' : 'nojs'}-status-board.png`, fullPage: true });
      await step.getByRole('link', { name: `See ${name}` }).click();
      await expect(page).toHaveURL(/#source-[0-9a-f-]{36}$/);
      await expect(page.locator(':target')).toContainText(name);

      // Back to normal, so the other run's provider is the worst one.
      await component(page, slug, 'operational');
      await pollNow(ops, name);
    });
  });
}
