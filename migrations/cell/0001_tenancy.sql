-- Tenancy primitives shared by every tenant table of a cell.
--
-- The municipality a transaction acts for is the transaction-local setting
-- municloud.municipality_code, set by the platform from the authenticated
-- principal. Unset or empty means no municipality: every policy then matches
-- nothing (fail closed).
CREATE FUNCTION current_municipality() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('municloud.municipality_code', true), '') $$;

REVOKE ALL ON FUNCTION current_municipality() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION current_municipality() TO :app_role;
