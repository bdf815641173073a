import { expect, test } from '@playwright/test';
import { ROLES, emailFor, signIn, usersInDatabase, type Role } from './accounts';

// Each role sees only what it may use, signs out, and cannot change what it may not — with and without
// JavaScript.

const NAV: Record<Role, string[]> = {
  helpdesk: ['Overview', 'Custom domains', 'Status', 'Monitoring', 'Notifications', 'Logs', 'Infrastructure', 'Checklists', 'About / System'],
  developer: ['Overview', 'Tenants', 'Custom domains', 'Status', 'Monitoring', 'Notifications', 'Logs', 'Infrastructure', 'Checklists', 'About / System'],
  ops_lead: ['Overview', 'Tenants', 'Custom domains', 'Status', 'Monitoring', 'Notifications', 'Logs', 'Infrastructure', 'Checklists', 'Settings', 'About / System'],
  admin: ['Overview', 'Tenants', 'Custom domains', 'Status', 'Monitoring', 'Notifications', 'Logs', 'Infrastructure', 'Checklists', 'Settings', 'About / System'],
};

for (const javaScriptEnabled of [true, false]) {
  test.describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    for (const role of ROLES) {
      test(`${role} sees only what the role may use, then signs out`, async ({ page }) => {
        await page.goto('/system');
        await expect(page).toHaveURL(/\/login\?next=%2Fsystem$/);
        await signIn(page, role, '/system');
        await expect(page).toHaveURL(/\/system$/);
        const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
        await expect(nav).toHaveText(NAV[role]);

        const settings = await page.goto('/settings/users');
        if (role === 'admin') {
          expect(settings?.status()).toBe(200);
          await expect(page.getByTestId('users')).toContainText(emailFor('helpdesk'));
        } else {
          expect(settings?.status()).toBe(403);
          await expect(page.getByTestId('denied')).toContainText('This needs the Admin role or higher.');
        }
        await page.screenshot({ path: `test-results/screenshots/${javaScriptEnabled ? 'js' : 'nojs'}-${role}-users.png` });

        await page.getByRole('button', { name: 'Sign out' }).click();
        await expect(page.getByText('You are signed out.')).toBeVisible();
        const after = await page.goto('/system');
        expect(after?.url()).toContain('/login?next=');
      });
    }
  });
}

test('a wrong password says so plainly, and the form works with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await page.keyboard.type(emailFor('helpdesk'));
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password at all');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('form-error')).toHaveText('The email or password is wrong.');
});

test('a helpdesk user posting an admin form directly gets 403 and nothing changes', async ({ page }) => {
  await signIn(page, 'helpdesk');
  const before = usersInDatabase();
  expect(before).toContain(`${emailFor('developer')}\tdeveloper\tactive`);
  const response = await page.request.post('/api/accounts/role', {
    form: { email: emailFor('developer'), role: 'admin' },
    headers: { origin: new URL(page.url()).origin },
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain('admin role');
  expect(usersInDatabase()).toBe(before);
});

test('an admin adds a user and the ops lead finds it in the audit log', async ({ page }) => {
  await signIn(page, 'admin', '/settings/users');
  const email = `new-${Date.now()}@e2e.test`;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Display name').fill('New Colleague');
  await page.getByLabel('Role').first().selectOption('developer');
  await page.getByLabel('Initial password').fill('a long enough password');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId('users')).toContainText(email);
  expect(usersInDatabase()).toContain(`${email}\tdeveloper\tactive`);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'ops_lead', '/settings/audit');
  await page.getByLabel('Action').selectOption('user_created');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('audit')).toContainText(email);
  await expect(page.getByTestId('audit')).toContainText(emailFor('admin'));
});
