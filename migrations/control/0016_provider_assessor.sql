-- A platform role for assessors (評価者): people of an approved audit firm who
-- record findings on cloud services (docs/assessments.md). Held in the Digital
-- Agency's organization (000001) until municloud has an organization kind for
-- audit firms; the fit is checked by the application (roleFitsOrganization).
ALTER TABLE accounts DROP CONSTRAINT accounts_roles_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[
  'clerk', 'municipal_admin', 'auditor', 'support_measure_officer', 'linkage_subscriber', 'platform_operator', 'provider_assessor', 'prefecture_security_admin']);
