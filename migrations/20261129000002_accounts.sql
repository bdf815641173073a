-- Console accounts: users with one role each, failed sign-ins (for throttling), the audit log, and the session
-- table of tower-sessions (created here, not by the store at start, with the exact shape the store expects).

CREATE TABLE accounts_users (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text        NOT NULL CHECK (email = lower(email)),
    display_name    text        NOT NULL,
    role            text        NOT NULL CHECK (role IN ('helpdesk', 'developer', 'ops_lead', 'admin')),
    password_hash   text        NOT NULL,
    disabled        boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz
);
CREATE UNIQUE INDEX accounts_users_email ON accounts_users (email);

CREATE TABLE accounts_sign_in_failures (
    id        bigserial   PRIMARY KEY,
    email     text        NOT NULL,
    client_ip text        NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_sign_in_failures_email ON accounts_sign_in_failures (email, at);
CREATE INDEX accounts_sign_in_failures_ip ON accounts_sign_in_failures (client_ip, at);

-- Who did what to what, when, from where. actor_id is NULL for the command line and for failed sign-ins;
-- actor_label then says who (the email as typed, or "command line").
CREATE TABLE accounts_audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid        REFERENCES accounts_users (id),
    actor_label text        NOT NULL,
    action      text        NOT NULL,
    target      text        NOT NULL DEFAULT '',
    client_ip   text        NOT NULL DEFAULT '',
    detail      text        NOT NULL DEFAULT ''
);
CREATE INDEX accounts_audit_log_at ON accounts_audit_log (at DESC, id DESC);
CREATE INDEX accounts_audit_log_action ON accounts_audit_log (action, at DESC);
CREATE INDEX accounts_audit_log_actor ON accounts_audit_log (actor_id, at DESC);

CREATE SCHEMA tower_sessions;
CREATE TABLE tower_sessions.session (
    id          text        PRIMARY KEY NOT NULL,
    data        bytea       NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX session_expiry ON tower_sessions.session (expiry_date);
