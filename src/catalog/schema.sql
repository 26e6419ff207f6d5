-- The catalog schema. Applied on every open; every statement is idempotent.
CREATE TABLE IF NOT EXISTS companies (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    root_path TEXT NOT NULL UNIQUE,
    -- When the company's account expires (Company/expires); NULL: never.
    expires   TEXT
);
CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY,
    -- IPS logins are e-mail addresses: two accounts may not differ by case only.
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    user_type     TEXT NOT NULL,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS memberships (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    PRIMARY KEY (user_id, company_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS folders (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    path       TEXT NOT NULL,
    -- Created or last renamed (Folder/lastModified).
    modified_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (company_id, path)
);
CREATE TABLE IF NOT EXISTS assets (
    id             INTEGER PRIMARY KEY,
    type_code      INTEGER NOT NULL,
    type_record_id INTEGER NOT NULL,
    asset_type     TEXT NOT NULL,
    company_id     INTEGER NOT NULL REFERENCES companies(id),
    folder_id      INTEGER NOT NULL REFERENCES folders(id),
    name           TEXT NOT NULL,
    width          INTEGER,
    height         INTEGER,
    format         TEXT,
    byte_size      INTEGER NOT NULL,
    content_hash   TEXT NOT NULL,
    -- Image Serving commands applied before (url_modifier) and after
    -- (url_post_modifier) a request's own, as catalog::Modifier and
    -- catalog::PostModifier are.
    url_modifier      TEXT NOT NULL DEFAULT '',
    url_post_modifier TEXT NOT NULL DEFAULT '',
    created_by     INTEGER REFERENCES users(id),
    -- The last user to change the row; NULL until someone does (reads fall
    -- back to created_by).
    modified_by    INTEGER REFERENCES users(id),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    modified_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Asset IDs are unique per company whatever the folder, and compare without
-- regard to ASCII case, as Image Serving catalog IDs do.
CREATE UNIQUE INDEX IF NOT EXISTS assets_company_name ON assets (company_id, name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS assets_content_hash ON assets (content_hash);
CREATE INDEX IF NOT EXISTS assets_folder ON assets (folder_id);
-- Handle counters. Minting from counters (not random ids) makes the same seed
-- and the same request sequence give the same handles.
CREATE TABLE IF NOT EXISTS sequences (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL
) WITHOUT ROWID;
-- Jobs: submitJob's, and the upload servlet's (kind 'UploadPost'), in one
-- series of handles. The id is the rowid: jobs are deleted only before they
-- start (deleteJob) or by a reset, so SQLite hands out max + 1 and the same
-- requests get the same job handles; a job whose request is refused is
-- rolled back and consumes no id.
CREATE TABLE IF NOT EXISTS jobs (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES companies(id),
    kind          TEXT NOT NULL,
    -- The unique name (original_name and a suffix) and the submitted one.
    name          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    locale        TEXT,
    -- The kind's parameters as the operation layer wrote them; opaque here.
    spec          TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    sub_type      TEXT NOT NULL DEFAULT '',
    exec_time     TEXT,
    progress      INTEGER NOT NULL DEFAULT 0,
    progress_message TEXT NOT NULL DEFAULT '',
    file_success  INTEGER NOT NULL DEFAULT 0,
    file_error    INTEGER NOT NULL DEFAULT 0,
    file_warning  INTEGER NOT NULL DEFAULT 0,
    file_duplicate INTEGER NOT NULL DEFAULT 0,
    file_update   INTEGER NOT NULL DEFAULT 0,
    file_total    INTEGER NOT NULL DEFAULT 0,
    fatal         INTEGER NOT NULL DEFAULT 0,
    -- Upload servlet jobs: their files' options, and whether endJob closed it.
    overwrite     INTEGER NOT NULL DEFAULT 0,
    ready_for_publish INTEGER NOT NULL DEFAULT 1,
    preserve_publish_state INTEGER NOT NULL DEFAULT 0,
    closed        INTEGER NOT NULL DEFAULT 0,
    -- Export jobs: the stored archive (a blob key, kept while the job is).
    export_hash   TEXT,
    created_by    INTEGER REFERENCES users(id),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at    TEXT,
    ended_at      TEXT,
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Publish state: assets.ready_for_publish and assets.published_at are added
-- by catalog::publish::migrate, on new catalogs as on old ones (ADD COLUMN
-- cannot be written idempotently here); so is assets.trashed_at (when the
-- asset went to the trash; NULL: it is not there), by queries::migrate.
CREATE INDEX IF NOT EXISTS jobs_company_state ON jobs (company_id, state);
CREATE INDEX IF NOT EXISTS jobs_export_hash ON jobs (export_hash) WHERE export_hash IS NOT NULL;
-- A job's log lines (getJobLogDetails), in the order they were written.
CREATE TABLE IF NOT EXISTS job_log_details (
    id           INTEGER PRIMARY KEY,
    job_id       INTEGER NOT NULL REFERENCES jobs(id),
    log_type     TEXT NOT NULL,
    message      TEXT NOT NULL,
    asset_name   TEXT,
    asset_type   TEXT,
    -- The asset's handle as printed; no foreign key: the log outlives the asset.
    asset_handle TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS job_log_details_job ON job_log_details (job_id);
CREATE INDEX IF NOT EXISTS job_log_details_asset ON job_log_details (asset_handle) WHERE asset_handle IS NOT NULL;
-- CDN cache invalidation requests (cdnCacheInvalidation): kept so that
-- getCdnCacheInvalidationStatus can answer, and a suite can see what it
-- asked to purge. `urls` holds the URLs, one per line.
CREATE TABLE IF NOT EXISTS cdn_invalidations (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    user_id    INTEGER REFERENCES users(id),
    urls       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Property sets: named types (a company's, or global when company_id is
-- NULL), and sets of name-value pairs of a type attached to an owner. An
-- owner is kept as its canonical key, `c|<companyId>` or `u|<userId>`; a set
-- with no secondary owner has NULL. Set and type ids come from `sequences`
-- (`property_set`, `property_set_type`), so a deleted set's handle is not
-- handed out again until a reset.
CREATE TABLE IF NOT EXISTS property_set_types (
    id             INTEGER PRIMARY KEY,
    company_id     INTEGER REFERENCES companies(id),
    name           TEXT NOT NULL,
    property_type  TEXT NOT NULL,
    allow_multiple INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS property_set_types_name ON property_set_types (ifnull(company_id, 0), name);
CREATE TABLE IF NOT EXISTS property_sets (
    id              INTEGER PRIMARY KEY,
    type_id         INTEGER NOT NULL REFERENCES property_set_types(id),
    primary_owner   TEXT NOT NULL,
    secondary_owner TEXT
);
CREATE INDEX IF NOT EXISTS property_sets_owner ON property_sets (type_id, primary_owner);
-- A set's properties in the order they were first given; names are unique
-- within a set.
CREATE TABLE IF NOT EXISTS property_set_properties (
    set_id   INTEGER NOT NULL REFERENCES property_sets(id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (set_id, position),
    UNIQUE (set_id, name)
) WITHOUT ROWID;
-- Sets (ImageSet, SpinSet, AssetSet assets): what the set's asset row does
-- not hold. The row itself has no bytes (content_hash '').
CREATE TABLE IF NOT EXISTS asset_sets (
    asset_id   INTEGER PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
    -- AssetSet's client-chosen subType; '' for image sets.
    sub_type   TEXT NOT NULL DEFAULT '',
    -- AssetSet's setDefinition as the client wrote it; NULL for image sets.
    definition TEXT,
    -- The thumbnail asset chosen for the set; NULL: none (or it was emptied).
    thumb_id   INTEGER REFERENCES assets(id) ON DELETE SET NULL
);
-- A set's members in order: an image set's memberArray, or the assets an
-- AssetSet's definition names. A member removed for good (emptied from the
-- trash, its folder deleted) leaves every set with it.
CREATE TABLE IF NOT EXISTS set_members (
    set_id    INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    PRIMARY KEY (set_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS set_members_member ON set_members (member_id);
-- Derived assets (createDerivedAsset) and the Image each is derived from.
CREATE TABLE IF NOT EXISTS derived_assets (
    asset_id INTEGER PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
    owner_id INTEGER NOT NULL REFERENCES assets(id)
);
CREATE INDEX IF NOT EXISTS derived_assets_owner ON derived_assets (owner_id);
-- "Deleting the owner image deletes any associated derived images": an
-- owner removed for good takes its derived assets with it (they share its
-- stored bytes, which its removal releases). AFTER, not BEFORE: a BEFORE
-- trigger deleting rows its statement also deletes (a folder's) is undefined;
-- the owner_id reference is checked at the end of the statement, by when the
-- links are gone with their derived rows.
CREATE TRIGGER IF NOT EXISTS derived_assets_go_with_owner AFTER DELETE ON assets
BEGIN
    DELETE FROM assets WHERE id IN (SELECT asset_id FROM derived_assets WHERE owner_id = OLD.id);
END;
