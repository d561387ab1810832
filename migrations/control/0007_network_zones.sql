-- Address ranges of each municipality's network segments (the three-layer
-- model). My Number work is accepted only from the 'my_number' zone.
CREATE TABLE network_zones (
  municipality_code text NOT NULL REFERENCES organizations (code),
  zone              text NOT NULL CHECK (zone IN ('my_number', 'lgwan', 'internet')),
  cidr              cidr NOT NULL,
  PRIMARY KEY (municipality_code, zone, cidr)
);

GRANT SELECT, INSERT, DELETE ON network_zones TO :app_role;
