-- Parlance warehouse, schema 1. Migrations are append-only: never edit a
-- released file; add a new one.

-- Bookkeeping ---------------------------------------------------------------

CREATE TABLE sources (
  name        TEXT PRIMARY KEY,            -- user-chosen, e.g. "shopify-main", "demo-shop"
  kind        TEXT NOT NULL,               -- connector kind, e.g. "shopify", "demo"
  config_json TEXT NOT NULL DEFAULT '{}',  -- never holds secrets (those live in the OS keychain)
  created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE sync_runs (
  id           INTEGER PRIMARY KEY,
  source       TEXT NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  status       TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled')),
  full_refresh INTEGER NOT NULL DEFAULT 0,
  pages        INTEGER NOT NULL DEFAULT 0,
  inserted     INTEGER NOT NULL DEFAULT 0,
  updated      INTEGER NOT NULL DEFAULT 0,
  unchanged    INTEGER NOT NULL DEFAULT 0,
  quarantined  INTEGER NOT NULL DEFAULT 0,
  error        TEXT
) STRICT;
CREATE INDEX sync_runs_by_source ON sync_runs(source, started_at);

CREATE TABLE stream_state (
  source      TEXT NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
  stream      TEXT NOT NULL,
  cursor_json TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (source, stream)
) STRICT;

-- Landing: every record exactly as fetched ----------------------------------

CREATE TABLE landing_records (
  id                INTEGER PRIMARY KEY,
  source            TEXT NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
  stream            TEXT NOT NULL,
  source_id         TEXT NOT NULL,         -- the source's own id for the record
  source_updated_at TEXT,                  -- the source's updated-at, when it has one
  payload_json      TEXT NOT NULL,
  content_hash      BLOB NOT NULL,         -- blake3 of the payload; unchanged payload => no write
  fetched_at        TEXT NOT NULL,
  normalized_hash   BLOB,                  -- content_hash as of the last normalisation
  UNIQUE (source, stream, source_id)
) STRICT;
-- Records whose current payload was not normalised yet.
CREATE INDEX landing_pending ON landing_records(id) WHERE normalized_hash IS NOT content_hash;

CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  landing_id  INTEGER NOT NULL UNIQUE REFERENCES landing_records(id) ON DELETE CASCADE,
  reason      TEXT NOT NULL,
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL,
  retries     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Unified -------------------------------------------------------------------

CREATE TABLE profiles (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('person','anonymous')),
  merged_into  INTEGER REFERENCES profiles(id),
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX profiles_merged_into ON profiles(merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE identifiers (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,               -- 'email','phone','anonymous_id','device_id','customer_id:<source>'
  value       TEXT NOT NULL,               -- normalised
  profile_id  INTEGER NOT NULL REFERENCES profiles(id),
  source      TEXT NOT NULL,
  landing_id  INTEGER REFERENCES landing_records(id) ON DELETE SET NULL,
  first_seen  TEXT NOT NULL,
  UNIQUE (kind, value)
) STRICT;
CREATE INDEX identifiers_by_profile ON identifiers(profile_id);
-- Customer search: prefix match on values of any kind.
CREATE INDEX identifiers_by_value ON identifiers(value);

-- Which profile each unified landing record resolved to (lineage for the
-- customer 360, and the basis for scoring resolution against truth).
CREATE TABLE record_profiles (
  landing_id  INTEGER PRIMARY KEY REFERENCES landing_records(id) ON DELETE CASCADE,
  profile_id  INTEGER NOT NULL REFERENCES profiles(id)
) STRICT;
CREATE INDEX record_profiles_by_profile ON record_profiles(profile_id);

CREATE TABLE merges (
  id            INTEGER PRIMARY KEY,
  kept_profile  INTEGER NOT NULL REFERENCES profiles(id),
  merged_profile INTEGER NOT NULL REFERENCES profiles(id),
  evidence_json TEXT NOT NULL,             -- identifier, records, rule
  merged_at     TEXT NOT NULL,
  undone_at     TEXT
) STRICT;

CREATE TABLE unmerge_rules (             -- "keep these apart", honoured by later syncs and rebuilds
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  value       TEXT NOT NULL,
  apart_from_kind  TEXT NOT NULL,
  apart_from_value TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  UNIQUE (kind, value, apart_from_kind, apart_from_value)
) STRICT;
CREATE INDEX unmerge_rules_other_side ON unmerge_rules(apart_from_kind, apart_from_value);

-- Identifiers a unified record carried that did not link it to its profile:
-- blocked or malformed values, and values another profile holds that a
-- limit or a keep-apart rule stopped from merging. Replaced with the
-- record's other rows; read by the suspicious-clusters report and explain.
CREATE TABLE unlinked_identifiers (
  landing_id  INTEGER NOT NULL REFERENCES landing_records(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  value       TEXT NOT NULL,               -- normalised when it could be, else as carried (trimmed)
  reason      TEXT NOT NULL CHECK (reason IN ('blocked','malformed','empty','limit','kept-apart')),
  detail      TEXT NOT NULL,
  PRIMARY KEY (landing_id, kind, value)
) STRICT;
CREATE INDEX unlinked_by_value ON unlinked_identifiers(kind, value);

CREATE TABLE events (
  id            INTEGER PRIMARY KEY,
  profile_id    INTEGER NOT NULL REFERENCES profiles(id),
  occurred_at   TEXT NOT NULL,
  channel       TEXT NOT NULL,             -- web, email, ads, shop, support, survey
  name          TEXT NOT NULL,             -- page_view, email_opened, order_placed, ...
  properties_json TEXT NOT NULL DEFAULT '{}',
  revenue       REAL,
  landing_id    INTEGER NOT NULL REFERENCES landing_records(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL DEFAULT 0,  -- one landed record can yield several events
  UNIQUE (landing_id, seq)
) STRICT;
CREATE INDEX events_by_profile_time ON events(profile_id, occurred_at);
-- Covering for "events of a kind in a window, by profile" (segment
-- aggregates): channel and profile come from the index, not the table.
CREATE INDEX events_by_name_time ON events(name, occurred_at, channel, profile_id);

CREATE TABLE orders (
  id           INTEGER PRIMARY KEY,
  profile_id   INTEGER NOT NULL REFERENCES profiles(id),
  source       TEXT NOT NULL,
  source_order_id TEXT NOT NULL,
  ordered_at   TEXT NOT NULL,
  amount       REAL NOT NULL,
  currency     TEXT NOT NULL,
  margin       REAL,
  status       TEXT NOT NULL CHECK (status IN ('placed','fulfilled','returned','refunded','partially_refunded','cancelled')),
  refunded_amount REAL NOT NULL DEFAULT 0,
  categories_json TEXT NOT NULL DEFAULT '[]',
  landing_id   INTEGER NOT NULL REFERENCES landing_records(id) ON DELETE CASCADE,
  UNIQUE (source, source_order_id)
) STRICT;
CREATE INDEX orders_by_profile_time ON orders(profile_id, ordered_at);
CREATE INDEX orders_by_landing ON orders(landing_id);

CREATE TABLE support_contacts (
  id           INTEGER PRIMARY KEY,
  profile_id   INTEGER NOT NULL REFERENCES profiles(id),
  source       TEXT NOT NULL,
  source_contact_id TEXT NOT NULL,
  contacted_at TEXT NOT NULL,
  channel      TEXT NOT NULL,              -- email, phone, chat, web
  reason       TEXT,
  landing_id   INTEGER NOT NULL REFERENCES landing_records(id) ON DELETE CASCADE,
  UNIQUE (source, source_contact_id)
) STRICT;
CREATE INDEX support_by_profile ON support_contacts(profile_id, contacted_at);
CREATE INDEX support_by_landing ON support_contacts(landing_id);

CREATE TABLE traits (
  profile_id  INTEGER NOT NULL REFERENCES profiles(id),
  key         TEXT NOT NULL,               -- e.g. 'city', 'survey.nps'
  value_json  TEXT NOT NULL,
  source      TEXT NOT NULL,
  observed_at TEXT NOT NULL,
  landing_id  INTEGER REFERENCES landing_records(id) ON DELETE SET NULL,
  PRIMARY KEY (profile_id, key, source)
) STRICT;
CREATE INDEX traits_by_landing ON traits(landing_id) WHERE landing_id IS NOT NULL;

-- Derived -------------------------------------------------------------------

CREATE TABLE profile_features (
  profile_id      INTEGER PRIMARY KEY REFERENCES profiles(id),
  first_seen      TEXT,
  last_seen       TEXT,
  order_count     INTEGER NOT NULL DEFAULT 0,
  order_total     REAL NOT NULL DEFAULT 0,
  first_order_at  TEXT,
  last_order_at   TEXT,
  recency_score   INTEGER,
  frequency_score INTEGER,
  monetary_score  INTEGER,
  channel_counts_json TEXT NOT NULL DEFAULT '{}',
  computed_at     TEXT NOT NULL
) STRICT;

CREATE TABLE profile_scores (
  profile_id  INTEGER NOT NULL REFERENCES profiles(id),
  score       TEXT NOT NULL,
  value       REAL NOT NULL,
  computed_at TEXT NOT NULL,
  PRIMARY KEY (profile_id, score)
) STRICT;

CREATE TABLE profile_value (
  profile_id       INTEGER PRIMARY KEY REFERENCES profiles(id),
  value            REAL NOT NULL,
  components_json  TEXT NOT NULL,          -- predicted purchases, spend, margin, cost to serve, inputs
  tier             TEXT,
  decile           INTEGER,
  model_version    TEXT NOT NULL,
  computed_at      TEXT NOT NULL
) STRICT;

CREATE TABLE value_history (
  profile_id   INTEGER NOT NULL REFERENCES profiles(id),
  computed_at  TEXT NOT NULL,
  value        REAL NOT NULL,
  model_version TEXT NOT NULL,
  PRIMARY KEY (profile_id, computed_at)
) STRICT;

CREATE TABLE definitions (               -- vocabulary: segments, scores, stages, value, touchpoints
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  name        TEXT NOT NULL,
  deprecated  INTEGER NOT NULL DEFAULT 0,
  file        TEXT,                        -- the vocabulary file it was last read from
  removed_at  TEXT,                        -- when it left the vocabulary; its history stays
  UNIQUE (kind, name)
) STRICT;

CREATE TABLE definition_versions (
  id            INTEGER PRIMARY KEY,
  definition_id INTEGER NOT NULL REFERENCES definitions(id) ON DELETE CASCADE,
  version       INTEGER NOT NULL,
  source_text   TEXT NOT NULL,
  author        TEXT NOT NULL,
  message       TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  UNIQUE (definition_id, version)
) STRICT;

CREATE TABLE segment_membership (
  definition_version_id INTEGER NOT NULL REFERENCES definition_versions(id) ON DELETE CASCADE,
  profile_id  INTEGER NOT NULL REFERENCES profiles(id),
  entered_at  TEXT NOT NULL,
  left_at     TEXT,
  PRIMARY KEY (definition_version_id, profile_id, entered_at)
) STRICT;
CREATE INDEX membership_current ON segment_membership(definition_version_id) WHERE left_at IS NULL;

CREATE TABLE stage_history (
  profile_id  INTEGER NOT NULL REFERENCES profiles(id),
  stage       TEXT NOT NULL,
  entered_at  TEXT NOT NULL,
  left_at     TEXT,
  PRIMARY KEY (profile_id, entered_at)
) STRICT;

-- Settings and the demo's truth --------------------------------------------

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value_json TEXT NOT NULL
) STRICT;

-- The person truly behind each demo record. Written only by the demo
-- generator; read only to score identity resolution, never by resolution.
CREATE TABLE demo_truth (
  landing_id INTEGER PRIMARY KEY REFERENCES landing_records(id) ON DELETE CASCADE,
  person     INTEGER NOT NULL
) STRICT;
