-- A municipal role for support measures (支援措置担当): the staff who may disclose
-- or certify the records of DV and similar victims, giving a reason.
ALTER TABLE accounts DROP CONSTRAINT accounts_roles_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[
  'clerk', 'municipal_admin', 'auditor', 'support_measure_officer', 'platform_operator', 'prefecture_security_admin']);
