-- Readiness checklists: each tenant's current verdict per item (with its evidence and the snapshot it read), the
-- ops leads' sign-offs of the items no API decides, and the history of both. Every key leads with tenant_id.
CREATE TABLE checklists_verdicts (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    item          text        NOT NULL,
    verdict       text        NOT NULL CHECK (verdict IN ('pass', 'fail', 'warn', 'not_applicable', 'unknown', 'manual')),
    summary       text        NOT NULL,
    -- [{endpoint, field, value}]
    evidence      jsonb       NOT NULL,
    -- sha256 of the evidence: a sign-off lapses when it changes.
    evidence_hash text        NOT NULL,
    -- When the snapshot the verdict read was taken (null: the tenant was never read).
    read_at       timestamptz,
    -- Since when the verdict holds.
    since         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, item)
);

-- Which snapshot each tenant was last evaluated on.
CREATE TABLE checklists_evaluated (
    tenant_id    uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    snapshot_id  bigint,
    evaluated_at timestamptz NOT NULL
);

CREATE TABLE checklists_signoffs (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    item          text        NOT NULL,
    signed_by     text        NOT NULL,
    signed_at     timestamptz NOT NULL,
    comment       text        NOT NULL,
    review_by     date        NOT NULL,
    evidence      jsonb       NOT NULL,
    evidence_hash text        NOT NULL,
    lapsed_at     timestamptz,
    lapse_reason  text,
    -- The review-due notice was recorded for this review date.
    due_noticed   boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, item)
);
CREATE INDEX checklists_signoffs_review ON checklists_signoffs (review_by) WHERE lapsed_at IS NULL;

CREATE TABLE checklists_history (
    id        bigserial   PRIMARY KEY,
    tenant_id uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    item      text        NOT NULL,
    at        timestamptz NOT NULL,
    -- first = an item's first verdict for the tenant; verdict = a change of verdict.
    kind      text        NOT NULL CHECK (kind IN ('first', 'verdict', 'signed_off', 'lapsed')),
    verdict   text        CHECK (verdict IN ('pass', 'fail', 'warn', 'not_applicable', 'unknown', 'manual')),
    summary   text        NOT NULL,
    actor     text
);
CREATE INDEX checklists_history_by_tenant ON checklists_history (tenant_id, at DESC, id DESC);
CREATE INDEX checklists_history_at ON checklists_history (at DESC, id DESC);
