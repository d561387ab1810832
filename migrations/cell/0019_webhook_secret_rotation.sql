-- Rotating a webhook subscription's signing secret (src/linkage/routes.ts,
-- docs/linkage.md "Rotating the secret").
--
-- The admin asks for a new secret; the one it replaces is kept, sealed under
-- the municipality's keys like the current one (its own encrypted column, so
-- the rewrap job re-encrypts it too), and still signs every delivery until
-- webhook_previous_secret_until: a receiver has that long to deploy the new
-- one without refusing a delivery. Only one previous secret is kept: a second
-- rotation replaces it. Both columns are set, or neither. The existing check
-- (a webhook subscription has a URL and a current secret) is unchanged.
ALTER TABLE linkage_subscriptions
  ADD COLUMN webhook_previous_secret_sealed bytea,
  ADD COLUMN webhook_previous_secret_until timestamptz,
  ADD CONSTRAINT linkage_subscriptions_webhook_previous_secret
    CHECK ((webhook_previous_secret_sealed IS NULL) = (webhook_previous_secret_until IS NULL));

GRANT UPDATE (webhook_secret_sealed, webhook_previous_secret_sealed, webhook_previous_secret_until) ON linkage_subscriptions TO :app_role;
