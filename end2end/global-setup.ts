import { execFileSync } from 'node:child_process';
import { ROLES, emailFor, PASSWORD } from './tests/accounts';

// One user per role, added through the real command line (`tenantry user add --password-stdin`) on the
// browser tests' database.
export default function globalSetup() {
  for (const role of ROLES) {
    execFileSync('../target/debug/tenantry', ['user', 'add', '--email', emailFor(role), '--role', role, '--password-stdin'], {
      input: `${PASSWORD}\n`,
      env: { ...process.env, TENANTRY_LOG: 'warn' },
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  }
}
