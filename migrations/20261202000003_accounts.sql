-- Sessions signed in before this moment no longer count (set when an admin resets the user's password).
ALTER TABLE accounts_users ADD COLUMN sessions_revoked_at timestamptz;
