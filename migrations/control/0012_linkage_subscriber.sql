-- A municipal role for the systems that receive linkage feeds (連携先業務システム):
-- the account a subscription names as its consumer. It reads its own
-- subscriptions' feeds and nothing else.
ALTER TABLE accounts DROP CONSTRAINT accounts_roles_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[
  'clerk', 'municipal_admin', 'auditor', 'support_measure_officer', 'linkage_subscriber', 'platform_operator', 'prefecture_security_admin']);
