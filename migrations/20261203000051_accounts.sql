-- API tokens: personal ones (a user's, acting as that user with at most the user's role) and service ones (made by
-- an admin, with a role of their own). Only the SHA-256 of a token is kept; `prefix` (its first characters) lets
-- people tell their tokens apart. A revoked or expired token is kept, so its refused uses can name it.
CREATE TABLE accounts_api_tokens (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    kind          text        NOT NULL CHECK (kind IN ('personal', 'service')),
    name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    -- personal: the owner; service: NULL
    user_id       uuid        REFERENCES accounts_users (id),
    role          text        NOT NULL CHECK (role IN ('helpdesk', 'developer', 'ops_lead', 'admin')),
    prefix        text        NOT NULL,
    secret_sha256 bytea       NOT NULL,
    created_by    uuid        REFERENCES accounts_users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    last_used_ip  text,
    revoked_at    timestamptz,
    CHECK ((kind = 'personal') = (user_id IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_api_tokens_secret ON accounts_api_tokens (secret_sha256);
CREATE INDEX accounts_api_tokens_user ON accounts_api_tokens (user_id, created_at DESC);
