-- The catalog schema on PostgreSQL: the tables of schema.sql, kameleoon.sql,
-- sharinpix.sql, metadata.sql and image_fields.sql (with the columns
-- SQLite's migrations add) in PostgreSQL's types. Text compares by bytes
-- ("C"), as SQLite's BINARY does; `nocase` ignores case as SQLite's NOCASE
-- does for ASCII. Applied once per schema version, under an advisory lock,
-- so several instances may start at once (catalog::pg_schema).
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE IF NOT EXISTS companies (
    id        BIGINT PRIMARY KEY,
    name      TEXT COLLATE "C" NOT NULL UNIQUE,
    root_path TEXT COLLATE "C" NOT NULL UNIQUE,
    expires   TEXT COLLATE "C"
);
CREATE TABLE IF NOT EXISTS users (
    id            BIGINT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE nocase,
    password_hash TEXT COLLATE "C" NOT NULL,
    user_type     TEXT COLLATE "C" NOT NULL,
    first_name    TEXT COLLATE "C" NOT NULL DEFAULT '',
    last_name     TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS memberships (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    company_id BIGINT NOT NULL REFERENCES companies(id),
    PRIMARY KEY (user_id, company_id)
);
CREATE TABLE IF NOT EXISTS folders (
    id         BIGINT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    path       TEXT COLLATE "C" NOT NULL,
    modified_at TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    UNIQUE (company_id, path)
);
CREATE TABLE IF NOT EXISTS assets (
    id             BIGINT PRIMARY KEY,
    type_code      BIGINT NOT NULL,
    type_record_id BIGINT NOT NULL,
    asset_type     TEXT COLLATE "C" NOT NULL,
    company_id     BIGINT NOT NULL REFERENCES companies(id),
    folder_id      BIGINT NOT NULL REFERENCES folders(id),
    name           TEXT COLLATE "C" NOT NULL,
    width          BIGINT,
    height         BIGINT,
    format         TEXT COLLATE "C",
    byte_size      BIGINT NOT NULL,
    content_hash   TEXT COLLATE "C" NOT NULL,
    url_modifier      TEXT COLLATE "C" NOT NULL DEFAULT '',
    url_post_modifier TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_by     BIGINT REFERENCES users(id),
    modified_by    BIGINT REFERENCES users(id),
    created_at     TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    modified_at    TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    ready_for_publish BIGINT NOT NULL DEFAULT 1,
    published_at   TEXT COLLATE "C",
    trashed_at     TEXT COLLATE "C"
);
CREATE UNIQUE INDEX IF NOT EXISTS assets_company_name ON assets (company_id, name COLLATE nocase);
CREATE INDEX IF NOT EXISTS assets_content_hash ON assets (content_hash);
CREATE INDEX IF NOT EXISTS assets_folder ON assets (folder_id);
CREATE TABLE IF NOT EXISTS sequences (
    name TEXT COLLATE "C" PRIMARY KEY,
    next BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id            BIGINT PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES companies(id),
    kind          TEXT COLLATE "C" NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    original_name TEXT COLLATE "C" NOT NULL,
    description   TEXT COLLATE "C" NOT NULL DEFAULT '',
    locale        TEXT COLLATE "C",
    spec          TEXT COLLATE "C" NOT NULL DEFAULT '',
    state         TEXT COLLATE "C" NOT NULL,
    sub_type      TEXT COLLATE "C" NOT NULL DEFAULT '',
    exec_time     TEXT COLLATE "C",
    progress      BIGINT NOT NULL DEFAULT 0,
    progress_message TEXT COLLATE "C" NOT NULL DEFAULT '',
    file_success  BIGINT NOT NULL DEFAULT 0,
    file_error    BIGINT NOT NULL DEFAULT 0,
    file_warning  BIGINT NOT NULL DEFAULT 0,
    file_duplicate BIGINT NOT NULL DEFAULT 0,
    file_update   BIGINT NOT NULL DEFAULT 0,
    file_total    BIGINT NOT NULL DEFAULT 0,
    fatal         BIGINT NOT NULL DEFAULT 0,
    overwrite     BIGINT NOT NULL DEFAULT 0,
    ready_for_publish BIGINT NOT NULL DEFAULT 1,
    preserve_publish_state BIGINT NOT NULL DEFAULT 0,
    closed        BIGINT NOT NULL DEFAULT 0,
    export_hash   TEXT COLLATE "C",
    runner        TEXT COLLATE "C",
    lease_until   BIGINT,
    created_by    BIGINT REFERENCES users(id),
    created_at    TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    started_at    TEXT COLLATE "C",
    ended_at      TEXT COLLATE "C",
    updated_at    TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
);
CREATE INDEX IF NOT EXISTS jobs_company_state ON jobs (company_id, state);
CREATE INDEX IF NOT EXISTS jobs_export_hash ON jobs (export_hash) WHERE export_hash IS NOT NULL;
CREATE TABLE IF NOT EXISTS job_log_details (
    id           BIGINT PRIMARY KEY,
    job_id       BIGINT NOT NULL REFERENCES jobs(id),
    log_type     TEXT COLLATE "C" NOT NULL,
    message      TEXT COLLATE "C" NOT NULL,
    asset_name   TEXT COLLATE "C",
    asset_type   TEXT COLLATE "C",
    asset_handle TEXT COLLATE "C",
    created_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS job_log_details_job ON job_log_details (job_id);
CREATE INDEX IF NOT EXISTS job_log_details_asset ON job_log_details (asset_handle) WHERE asset_handle IS NOT NULL;
CREATE TABLE IF NOT EXISTS cdn_invalidations (
    id         BIGINT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    user_id    BIGINT REFERENCES users(id),
    urls       TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS property_set_types (
    id             BIGINT PRIMARY KEY,
    company_id     BIGINT REFERENCES companies(id),
    name           TEXT COLLATE "C" NOT NULL,
    property_type  TEXT COLLATE "C" NOT NULL,
    allow_multiple BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS property_set_types_name ON property_set_types (COALESCE(company_id, 0), name);
CREATE TABLE IF NOT EXISTS property_sets (
    id              BIGINT PRIMARY KEY,
    type_id         BIGINT NOT NULL REFERENCES property_set_types(id),
    primary_owner   TEXT COLLATE "C" NOT NULL,
    secondary_owner TEXT COLLATE "C"
);
CREATE INDEX IF NOT EXISTS property_sets_owner ON property_sets (type_id, primary_owner);
CREATE TABLE IF NOT EXISTS property_set_properties (
    set_id   BIGINT NOT NULL REFERENCES property_sets(id),
    position BIGINT NOT NULL,
    name     TEXT COLLATE "C" NOT NULL,
    value    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (set_id, position),
    UNIQUE (set_id, name)
);
CREATE TABLE IF NOT EXISTS asset_sets (
    asset_id   BIGINT PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
    sub_type   TEXT COLLATE "C" NOT NULL DEFAULT '',
    definition TEXT COLLATE "C",
    thumb_id   BIGINT REFERENCES assets(id) ON DELETE SET NULL
);
CREATE TABLE IF NOT EXISTS set_members (
    set_id    BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    position  BIGINT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    PRIMARY KEY (set_id, position)
);
CREATE INDEX IF NOT EXISTS set_members_member ON set_members (member_id);
CREATE TABLE IF NOT EXISTS derived_assets (
    asset_id BIGINT PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL REFERENCES assets(id)
);
CREATE INDEX IF NOT EXISTS derived_assets_owner ON derived_assets (owner_id);
CREATE TABLE IF NOT EXISTS kameleoon_clients (
    id          BIGINT PRIMARY KEY,
    client_id   TEXT COLLATE "C" NOT NULL UNIQUE,
    secret_hash TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS kameleoon_sites (
    id          BIGINT PRIMARY KEY,
    client      BIGINT NOT NULL REFERENCES kameleoon_clients(id),
    company_id  BIGINT NOT NULL REFERENCES companies(id),
    folder      TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS kameleoon_images (
    id          BIGINT PRIMARY KEY,
    site        BIGINT NOT NULL REFERENCES kameleoon_sites(id),
    asset_id    BIGINT NOT NULL UNIQUE REFERENCES assets(id) ON DELETE CASCADE,
    created_by  BIGINT REFERENCES kameleoon_clients(id),
    name        TEXT COLLATE "C",
    file_name   TEXT COLLATE "C" NOT NULL,
    source      TEXT COLLATE "C" NOT NULL,
    alt_text    TEXT COLLATE "C" NOT NULL DEFAULT '',
    description TEXT COLLATE "C" NOT NULL DEFAULT '',
    tags        TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    keywords    TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    created_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS kameleoon_images_site ON kameleoon_images (site);
CREATE TABLE IF NOT EXISTS sharinpix_orgs (
    id          TEXT COLLATE "C" PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES companies(id),
    folder      TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS sharinpix_secrets (
    id          TEXT COLLATE "C" PRIMARY KEY,
    org         TEXT COLLATE "C" NOT NULL REFERENCES sharinpix_orgs(id),
    secret      TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS sharinpix_albums (
    org         TEXT COLLATE "C" NOT NULL REFERENCES sharinpix_orgs(id),
    id          TEXT COLLATE "C" NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (org, id)
);
CREATE TABLE IF NOT EXISTS sharinpix_images (
    id          TEXT COLLATE "C" PRIMARY KEY,
    org         TEXT COLLATE "C" NOT NULL,
    album       TEXT COLLATE "C" NOT NULL,
    asset_id    BIGINT NOT NULL UNIQUE REFERENCES assets(id) ON DELETE CASCADE,
    group_id    TEXT COLLATE "C",
    filename    TEXT COLLATE "C" NOT NULL,
    infos       TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    metadatas   TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    created_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL,
    FOREIGN KEY (org, album) REFERENCES sharinpix_albums(org, id)
);
CREATE INDEX IF NOT EXISTS sharinpix_images_album ON sharinpix_images (org, album);
CREATE TABLE IF NOT EXISTS sharinpix_uploads (
    public_id   TEXT COLLATE "C" PRIMARY KEY,
    org         TEXT COLLATE "C" NOT NULL,
    album       TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    format      TEXT COLLATE "C" NOT NULL,
    byte_size   BIGINT NOT NULL,
    original_filename TEXT COLLATE "C" NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    FOREIGN KEY (org, album) REFERENCES sharinpix_albums(org, id)
);
CREATE TABLE IF NOT EXISTS sharinpix_imports (
    id          TEXT COLLATE "C" PRIMARY KEY,
    org         TEXT COLLATE "C" NOT NULL REFERENCES sharinpix_orgs(id),
    album       TEXT COLLATE "C" NOT NULL,
    import_type TEXT COLLATE "C",
    params      TEXT COLLATE "C" NOT NULL,
    image_id    TEXT COLLATE "C",
    error       TEXT COLLATE "C",
    created_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS metadata_fields (
    id                BIGINT PRIMARY KEY,
    company_id        BIGINT NOT NULL REFERENCES companies(id),
    asset_type        TEXT COLLATE "C" NOT NULL,
    name              TEXT COLLATE "C" NOT NULL,
    field_type        TEXT COLLATE "C" NOT NULL,
    default_value     TEXT COLLATE "C" NOT NULL DEFAULT '',
    is_hidden         BIGINT NOT NULL DEFAULT 0,
    is_enforced       BIGINT NOT NULL DEFAULT 0,
    initial_tag_value TEXT COLLATE "C"
);
CREATE UNIQUE INDEX IF NOT EXISTS metadata_fields_name ON metadata_fields (company_id, asset_type COLLATE nocase, name COLLATE nocase);
CREATE TABLE IF NOT EXISTS asset_metadata (
    asset_id BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    field_id BIGINT NOT NULL REFERENCES metadata_fields(id) ON DELETE CASCADE,
    value    TEXT NOT NULL COLLATE nocase,
    num      DOUBLE PRECISION,
    PRIMARY KEY (asset_id, field_id, value)
);
CREATE INDEX IF NOT EXISTS asset_metadata_field_value ON asset_metadata (field_id, value);
CREATE INDEX IF NOT EXISTS asset_metadata_field_num ON asset_metadata (field_id, num) WHERE num IS NOT NULL;
CREATE TABLE IF NOT EXISTS image_fields (
    asset_id       BIGINT PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
    resolution     DOUBLE PRECISION,
    anchor_x       BIGINT,
    anchor_y       BIGINT,
    user_data      TEXT COLLATE "C" NOT NULL DEFAULT '',
    thumb_asset_id BIGINT REFERENCES assets(id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS image_fields_thumb ON image_fields (thumb_asset_id) WHERE thumb_asset_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS zoom_targets (
    id          BIGINT PRIMARY KEY,
    asset_id    BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    x           BIGINT NOT NULL,
    y           BIGINT NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    user_data   TEXT COLLATE "C" NOT NULL DEFAULT '',
    position    BIGINT NOT NULL,
    modified_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS zoom_targets_asset ON zoom_targets (asset_id, position);
CREATE TABLE IF NOT EXISTS image_maps (
    id          BIGINT PRIMARY KEY,
    asset_id    BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    shape_type  TEXT COLLATE "C" NOT NULL,
    region      TEXT COLLATE "C" NOT NULL,
    action      TEXT COLLATE "C" NOT NULL,
    position    BIGINT NOT NULL,
    enabled     BIGINT NOT NULL,
    modified_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS image_maps_asset ON image_maps (asset_id, position);

-- An owner removed for good takes its derived assets with it. PostgreSQL
-- fires a table's triggers in name order, internal ones ("RI_…", which
-- check that no derived_assets row still names the owner) included: this
-- name sorts first, so the links are gone before they are checked.
CREATE OR REPLACE FUNCTION derived_assets_go_with_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM assets WHERE id IN (SELECT asset_id FROM derived_assets WHERE owner_id = OLD.id);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS "A_derived_assets_go_with_owner" ON assets;
CREATE TRIGGER "A_derived_assets_go_with_owner" AFTER DELETE ON assets
    FOR EACH ROW EXECUTE FUNCTION derived_assets_go_with_owner();
-- SQLite gives a row inserted without an id the largest id plus one; so do
-- these, under a lock held to the end of the transaction (the one the
-- handle counters take: one lock, so batches never wait for each other's),
-- so that two instances never mint the same id and a reset gives the first
-- ids again.
CREATE OR REPLACE FUNCTION next_rowid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('ids'));
        EXECUTE format('SELECT COALESCE(max(id), 0) + 1 FROM %I', TG_TABLE_NAME) INTO NEW.id;
    END IF;
    RETURN NEW;
END $$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['companies', 'users', 'folders', 'assets', 'jobs', 'job_log_details',
                             'cdn_invalidations', 'property_set_types', 'property_sets', 'kameleoon_clients',
                             'kameleoon_sites', 'kameleoon_images', 'metadata_fields', 'zoom_targets', 'image_maps']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS next_rowid ON %I', t);
        EXECUTE format('CREATE TRIGGER next_rowid BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION next_rowid()', t);
    END LOOP;
END $$;
