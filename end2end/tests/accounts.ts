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

/** `tenantry user list`, read from the database by the real command line. */
export function usersInDatabase(): string {
  return execFileSync('../target/debug/tenantry', ['user', 'list'], {
    env: { ...process.env, TENANTRY_LOG: 'warn' },
    encoding: 'utf8',
  });
}
