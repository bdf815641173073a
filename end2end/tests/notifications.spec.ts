import { expect, test } from '@playwright/test';
import { demo, signInDemo } from './accounts';

// On the demo console: an ops lead filters to unacknowledged critical notices, acknowledges one with a comment and
// finds it in the audit log; a helpdesk user cannot acknowledge (403).

test.skip(!process.env.TENANTRY_E2E_DEMO_DATABASE_URL, 'the demo console runs only when scripts/test gives it a database');

test('an ops lead acknowledges a critical notice with a comment; helpdesk may not', async ({ page, browser }) => {
  await signInDemo(page, 'ops-lead@demo.tenantry.test');
  // The collector runs every 30 s; the demo's blocked test user is in alert from its first day of history.
  const first = page.getByTestId('notification').first();
  await expect(async () => {
    await page.goto(`${demo}/notifications?state=open&severity=critical`);
    await expect(first).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByTestId('open-notices')).toBeVisible();
  const title = (await first.getByRole('link').textContent()) ?? '';
  await first.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  const url = page.url();
  const id = url.split('/').pop() ?? '';

  // Helpdesk, in a browser of its own, is refused.
  const helpdesk = await (await browser.newContext()).newPage();
  await signInDemo(helpdesk, 'helpdesk@demo.tenantry.test');
  await helpdesk.goto(url);
  await expect(helpdesk.getByTestId('ack-state')).toContainText('ops leads acknowledge');
  const refused = await helpdesk.request.post(`${demo}/api/notifications/acknowledge`, {
    form: { id, comment: 'not mine to do' },
    headers: { origin: demo },
  });
  expect(refused.status()).toBe(403);

  await page.getByLabel('Comment (optional)').fill('Unblocked the test user; watching the next runs');
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByTestId('ack-state')).toContainText('Acknowledged');
  await expect(page.getByTestId('notice-timeline')).toContainText('Acknowledged: Unblocked the test user; watching the next runs');

  await page.goto(`${demo}/settings/audit`);
  await expect(page.getByTestId('audit')).toContainText(title);
  await expect(page.getByTestId('audit')).toContainText('Unblocked the test user');
  await page.goto(`${demo}/notifications?state=open&severity=critical`);
  await expect(page.locator(`a[href="/notifications/${id}"]`)).toHaveCount(0);
});
