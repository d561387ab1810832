-- Turning 75 (後期高齢者医療): no register event marks it, so each open NHI
-- membership carries the day its holder moves to the late-stage elderly
-- medical care system (the 75th birthday), set from the date of birth the
-- subscription delivers, and a daily pass closes the memberships whose day
-- has come (src/operations/national-health-insurance/ageing.ts).
-- NULL for memberships opened before this column, until an event about their
-- holder brings the date of birth.
ALTER TABLE nhi_members ADD COLUMN ages_out_on date;
CREATE INDEX nhi_members_ageing ON nhi_members (municipality_code, ages_out_on) WHERE lost_on IS NULL;
GRANT UPDATE (ages_out_on) ON nhi_members TO :app_role;
