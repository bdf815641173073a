import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';

export const ROLES = ['helpdesk', 'developer', 'ops_lead', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const PASSWORD = 'e2e correct horse battery';
export const emailFor = (role: Role) => `${role.replace('_', '-')}@e2e.test`;

/** Signs in through the sign-in form, as a person would (works with JavaScript off too). */
export async function signIn(page: Page, role: Role, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(emailFor(role));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('role')).toBeVisible();
}

/** The demo console's address (scripts/test runs `tenantry demo` beside the test server). */
export const demo = `http://127.0.0.1:${process.env.TENANTRY_E2E_DEMO_PORT ?? '3102'}`;

/** Signs in to the demo console with the password its sign-in page shows for `email`. */
export async function signInDemo(page: Page, email: string) {
  await page.goto(`${demo}/login`);
  const row = page.getByTestId('demo-accounts').getByRole('row', { name: new RegExp(email.replace(/\./g, '\\.')) });
  const password = (await row.locator('code').nth(1).textContent()) ?? '';
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('role')).toBeVisible();
}

/** `tenantry user list`, read from the database by the real command line. */
export function usersInDatabase(): string {
  return execFileSync('../target/debug/tenantry', ['user', 'list'], {
    env: { ...process.env, TENANTRY_LOG: 'warn' },
    encoding: 'utf8',
  });
}
