-- Japan's local public bodies and the Digital Agency, loaded from the catalogue
-- (src/organizations/catalogue.ts) by `municloud migrate`. Read-only to the
-- application role: the catalogue changes only with a release.
CREATE TABLE organizations (
  code            text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
  kind            text NOT NULL CHECK (kind IN ('digital_agency', 'prefecture', 'designated_city', 'city',
                                                'town', 'village', 'special_ward', 'ward')),
  name            text NOT NULL CHECK (name <> ''),
  name_kana       text NOT NULL CHECK (name_kana <> ''),
  prefecture_code text REFERENCES organizations (code),
  parent_code     text REFERENCES organizations (code),
  abolished_on    date,
  source          text NOT NULL,
  as_of           date NOT NULL
);
CREATE INDEX organizations_prefecture ON organizations (prefecture_code, code);
CREATE INDEX organizations_parent ON organizations (parent_code);

GRANT SELECT ON organizations TO :app_role;
