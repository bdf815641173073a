-- The installation record: one row, written when the database is first migrated.
CREATE TABLE system_instance (
    singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    instance_id  uuid        NOT NULL DEFAULT gen_random_uuid(),
    installed_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO system_instance DEFAULT VALUES;
