-- Single sign-on: a user signed in through the OpenID Connect provider is known by the provider's issuer and subject
-- (the `sub` claim), which never change, rather than by email, which may. Users the provider created have no local
-- password (an empty hash, which no password matches).
ALTER TABLE accounts_users ADD COLUMN sso_issuer text, ADD COLUMN sso_subject text,
    ADD CONSTRAINT accounts_users_sso_pair CHECK ((sso_issuer IS NULL) = (sso_subject IS NULL));
CREATE UNIQUE INDEX accounts_users_sso ON accounts_users (sso_issuer, sso_subject) WHERE sso_subject IS NOT NULL;
