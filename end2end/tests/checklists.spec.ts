import { expect, test, type Page } from '@playwright/test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { demo, signIn, signInDemo } from './accounts';

// Readiness checklists. On the demo console, acme-prod shows passing, failing, unknown (for lack of a scope) and
// manual items with their evidence. On the test console, an ops lead registers a production tenant on the
// simulator, signs off a manual item (it shows who and when), the simulator changes the evidence, and after a
// refresh the sign-off has lapsed, saying why. The printable report fits A4: saved as PDF through Chromium it has
// every item on a handful of pages, and no table runs past the page's width.

const simulator = `http://127.0.0.1:${process.env.TENANTRY_E2E_SIMULATOR_PORT ?? '3101'}`;

/** Signs in to the demo as `email` and opens acme-prod's checklist once its first snapshot is evaluated. */
async function openDemoProd(page: Page, email: string) {
  await signInDemo(page, email);
  const row = page.locator('[data-testid="checklist-tenant"][data-tenant="acme-prod"]');
  await expect(async () => {
    await page.goto(`${demo}/checklists`);
    await expect(row).toContainText('required failing', { timeout: 500 });
  }).toPass({ timeout: 90_000 });
  await row.getByRole('link', { name: 'acme-prod' }).click();
}

const item = (page: Page, id: string) => page.locator(`[data-testid="checklist-item"][data-item="${id}"]`);

test('the demo production tenant shows each kind of verdict with its evidence', async ({ page }) => {
  test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');
  // The demo's first snapshots take a moment after start; each is evaluated at once.
  test.setTimeout(120_000);
  await openDemoProd(page, 'helpdesk@demo.tenantry.test');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Readiness: acme-prod');
  await expect(item(page, 'email-provider')).toHaveAttribute('data-standing', 'pass');
  await expect(item(page, 'log-streaming')).toHaveAttribute('data-standing', 'fail');
  await expect(item(page, 'attack-protection')).toHaveAttribute('data-standing', 'unknown');
  await expect(item(page, 'attack-protection')).toContainText('read:attack_protection');
  await expect(item(page, 'sso-timeouts')).toHaveAttribute('data-standing', 'needs sign-off');
  await item(page, 'sso-timeouts').getByText('Why, evidence and what to do').click();
  await expect(item(page, 'sso-timeouts').getByTestId('evidence')).toContainText('idle_session_lifetime');
  await page.screenshot({ path: 'test-results/screenshots/checklist-demo.png', fullPage: true });

  // The user domain's tenants side by side, development first.
  await page.goto(`${demo}/checklists`);
  await page.getByLabel('User domain').selectOption('customers');
  await page.getByRole('button', { name: 'Filter' }).click();
  const matrix = page.getByTestId('domain-matrix');
  await expect(matrix.locator('thead th')).toHaveText([/Item/, /acme-dev/, /acme-qa/, /acme-prod/, /acme-sandbox1/]);
  await expect(matrix.locator('tr[data-item="email-provider"] td').nth(2)).toHaveText('pass');
});

test('the report prints on A4 without cut-off tables and downloads as CSV', async ({ page }) => {
  test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');
  test.setTimeout(120_000);
  await openDemoProd(page, 'ops-lead@demo.tenantry.test');
  await page.getByTestId('report-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Readiness report: acme-prod');
  await expect(page.getByTestId('report-item')).toHaveCount(40);

  const csv = await page.request.get(demo + (await page.getByTestId('report-csv').getAttribute('href')));
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\n');
  expect(lines[0]).toMatch(/^tenant,environment,area,item,title,severity,standing,verdict,summary,evidence/);
  expect(lines).toHaveLength(41);

  // In print, at the width of A4 inside its margins, nothing is wider than the page.
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 703, height: 1000 });
  const overflowing = await page.evaluate(() =>
    [...document.querySelectorAll('.report table, .report li, .report td')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((e) => e.textContent?.slice(0, 60)));
  expect(overflowing).toEqual([]);
  await expect(page.locator('.sidebar')).toBeHidden();

  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const doc = await getDocument({ data: new Uint8Array(pdf) }).promise;
  expect(doc.numPages).toBeGreaterThanOrEqual(2);
  expect(doc.numPages).toBeLessThanOrEqual(15);
  let text = '';
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    text += content.items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  }
  // Compared without white space: PDF text splits ligatures ("con fi gured") and wrapped words.
  const flat = text.replace(/\s+/g, '');
  const squeeze = (s: string) => s.replace(/\s+/g, '');
  expect(flat).toContain(squeeze('Readiness report: acme-prod'));
  for (const title of ['Email provider configured', 'Attack protection reviewed', 'Backup and recovery documented']) {
    expect(flat).toContain(squeeze(title));
  }
  expect(flat).not.toContain(squeeze('Sign out'));
});

for (const javaScriptEnabled of [true, false]) {
  test.describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });
    test('an ops lead signs off a manual item and it lapses when the evidence changes', async ({ page }) => {
      const name = `ready-prod${javaScriptEnabled ? 1 : 2}`;
      const domain = `${name}.us.auth0.com`;
      const created = await page.request.post(`${simulator}/__simulator/tenants`, {
        data: { domain, client_id: `${name}-m2m`, client_secret: 'right-secret' },
      });
      expect(created.status()).toBe(201);
      await signIn(page, 'ops_lead');
      await page.goto('/tenants/new');
      await page.getByLabel('Auth0 domain').fill(domain);
      await page.getByLabel('Environment').selectOption('production');
      await page.getByLabel('User domain').fill('ready');
      await page.getByLabel('M2M client id').fill(`${name}-m2m`);
      await page.getByLabel('M2M client secret').fill('right-secret');
      await page.getByLabel('API address').fill(simulator);
      await page.getByRole('button', { name: 'Add tenant' }).click();
      await expect(page).toHaveURL(/\/tenants\/[0-9a-f-]{36}$/);
      const tenantPage = page.url();
      const checklist = tenantPage.replace('/tenants/', '/checklists/');
      await page.getByRole('button', { name: 'Refresh now' }).click();
      await expect(async () => {
        await page.goto(checklist);
        await expect(item(page, 'sso-timeouts')).toHaveAttribute('data-standing', 'needs sign-off', { timeout: 500 });
      }).toPass({ timeout: 20_000 });

      const sso = item(page, 'sso-timeouts');
      await sso.getByText('Sign off…').click();
      await sso.getByLabel('What you checked, and where the proof is').fill('Lifetimes match policy SEC-7');
      await sso.getByRole('button', { name: 'Sign off', exact: true }).click();
      await expect(page.getByTestId('signed-notice')).toBeVisible();
      await expect(item(page, 'sso-timeouts')).toHaveAttribute('data-standing', 'signed off');
      await expect(item(page, 'sso-timeouts').getByTestId('sign-off')).toContainText('Signed off by ops-lead@e2e.test');
      await expect(item(page, 'sso-timeouts').getByTestId('sign-off')).toContainText('SEC-7');

      const changed = await page.request.post(`${simulator}/__simulator/tenants/${domain}/settings`, {
        data: { session_lifetime: 720 },
      });
      expect(changed.status()).toBe(204);
      await page.goto(tenantPage);
      await page.getByRole('button', { name: 'Refresh now' }).click();
      await expect(async () => {
        await page.goto(checklist);
        await expect(item(page, 'sso-timeouts')).toHaveAttribute('data-standing', 'needs sign-off', { timeout: 500 });
      }).toPass({ timeout: 20_000 });
      await expect(item(page, 'sso-timeouts').getByTestId('sign-off')).toContainText('The evidence changed since the sign-off');
      await expect(page.getByTestId('checklist-history')).toContainText('Sign-off lapsed');
      await page.screenshot({ path: `test-results/screenshots/${javaScriptEnabled ? 'js' : 'nojs'}-checklist.png`, fullPage: true });
    });
  });
}
