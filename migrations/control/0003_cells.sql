-- The cell directory: which PostgreSQL cell holds each municipality's data.
-- Cells are registered from configuration by `municloud migrate`; connection
-- URLs stay in configuration, never in this table.
CREATE TABLE cells (
  id         text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{0,30}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE placements (
  municipality_code text PRIMARY KEY REFERENCES organizations (code),
  cell_id           text NOT NULL REFERENCES cells (id),
  placed_at         timestamptz NOT NULL DEFAULT now(),
  placed_by         uuid REFERENCES accounts (id)
);
CREATE INDEX placements_cell ON placements (cell_id);

GRANT SELECT ON cells TO :app_role;
GRANT SELECT, INSERT ON placements TO :app_role;
