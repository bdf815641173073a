import { expect, test } from '@playwright/test';
import { Validator } from '@seriousme/openapi-schema-validator';

// The JSON API's document is a valid OpenAPI 3.1 document by the official schema (checked by a validator that is
// not ours), and the reference page a person reads shows every operation it lists.

test('the OpenAPI document validates against the OpenAPI 3.1 schema and the reference shows every operation', async ({ page, request }) => {
  const answer = await request.get('/api/v1/openapi.json');
  expect(answer.status()).toBe(200);
  const doc = await answer.json();
  expect(doc.openapi).toMatch(/^3\.1\./);
  const validator = new Validator();
  const result = await validator.validate(doc);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);

  await page.goto('/api/v1/docs');
  const operations = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(operations.length).toBeGreaterThanOrEqual(19);
  await expect(page.getByTestId('operation')).toHaveCount(operations.length);
  for (const operation of operations) {
    await expect(page.getByText(operation, { exact: true })).toBeVisible();
  }
  await page.screenshot({ path: 'test-results/screenshots/api-reference.png' });
});
