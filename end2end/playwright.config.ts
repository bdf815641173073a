import { defineConfig } from '@playwright/test';

// The server under test: the debug build, on its own port and its own database (scripts/test creates
// tenantry_e2e on the private cluster and passes DATABASE_URL). Chromium is Debian's; Playwright never
// downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
const port = process.env.TENANTRY_E2E_PORT ?? '3100';
const baseURL = `http://127.0.0.1:${port}`;
export const simulatorPort = process.env.TENANTRY_E2E_SIMULATOR_PORT ?? '3101';
// The demo console (`tenantry demo`: the demo company, its status pages, checks and custom domains on local DNS
// and TLS servers), when scripts/test gives it a database.
export const demoPort = process.env.TENANTRY_E2E_DEMO_PORT ?? '3102';
const demoDatabase = process.env.TENANTRY_E2E_DEMO_DATABASE_URL;

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  outputDir: './test-results/artifacts',
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['line']],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [{
    command: '../target/debug/tenantry serve',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      TENANTRY_ADDR: `127.0.0.1:${port}`,
      TENANTRY_LOG: 'warn',
      TENANTRY_SECRET_KEY_FILE: '../target/e2e-secret.key',
      // Status pages live on the simulator (127.0.0.1); the board refreshes every 2 s so tests need not wait 30.
      TENANTRY_STATUS_ALLOW_PRIVATE_TARGETS: 'true',
      // Tenants added by the tests live on the simulator too.
      TENANTRY_TENANTS_ALLOW_PRIVATE_TARGETS: 'true',
      TENANTRY_STATUS_AUTH0_FEED_URL: `http://127.0.0.1:${simulatorPort}/__status/auth0/feed`,
      TENANTRY_STATUS_BOARD_REFRESH_SECONDS: '2',
      // Auth0's IP list, as the simulator serves it.
      TENANTRY_INFRA_ALLOW_PRIVATE_TARGETS: 'true',
      TENANTRY_INFRA_IP_RANGES_URL: `http://127.0.0.1:${simulatorPort}/ip-ranges.json`,
    },
  }, {
    // The Auth0 simulator, alone: tests add tenants to it through its control API.
    command: `../target/debug/tenantry simulator --port ${simulatorPort}`,
    url: `http://127.0.0.1:${simulatorPort}/__simulator/stats`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { TENANTRY_LOG: 'warn' },
  }, ...(demoDatabase ? [{
    command: '../target/debug/tenantry demo',
    url: `http://127.0.0.1:${demoPort}/healthz`,
    reuseExistingServer: false,
    timeout: 90_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      DATABASE_URL: demoDatabase,
      TENANTRY_ADDR: `127.0.0.1:${demoPort}`,
      TENANTRY_LOG: 'warn',
      TENANTRY_SECRET_KEY_FILE: '../target/e2e-demo-secret.key',
    },
  }] : [])],
});
