-- Where the platform's other data stores are (src/providers/placement/data-stores.ts,
-- docs/providers.md "Other data stores"): the control database and each backup
-- target, declared by the operator as a cell's location is (0013's
-- cell_locations), for the `data-in-japan` self-check. Platform-wide; every
-- write audited (data_store_location_declared).
--
-- Append-only like cell_locations: a store's location changes by appending a
-- newer row, and the latest row (by seq) per store counts. A store exists by
-- being declared; nothing is ever removed.
CREATE TABLE data_store_locations (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- `control` (the control database) or a backup target's name (e.g. backup-tokyo): the form of a cell id.
  store_id    text NOT NULL CHECK (store_id ~ '^[a-z][a-z0-9-]{0,30}$'),
  kind        text NOT NULL CHECK (kind IN ('control', 'backup')),
  provider_id uuid NOT NULL REFERENCES providers (id),
  service_id  uuid NOT NULL,
  region_id   uuid NOT NULL,
  declared_at timestamptz NOT NULL DEFAULT now(),
  -- NULL when declared by a platform job (a CLI command, the demo seeder).
  declared_by uuid REFERENCES accounts (id),
  -- The store `control` is the control database, and it is the only store of kind `control`:
  -- so there is one control store, and a store's kind never changes.
  CHECK ((store_id = 'control') = (kind = 'control')),
  -- Service and region belong to the same provider, as for a cell.
  FOREIGN KEY (service_id, provider_id) REFERENCES provider_services (id, provider_id),
  FOREIGN KEY (region_id, provider_id) REFERENCES provider_regions (id, provider_id)
);
CREATE INDEX data_store_locations_store ON data_store_locations (store_id, seq DESC);

-- Appended and read; never changed nor removed.
GRANT SELECT, INSERT ON data_store_locations TO :app_role;
