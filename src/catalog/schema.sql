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
-- Upload servlet jobs. The id is the rowid: jobs are never deleted, so SQLite
-- hands out max + 1 and the same requests get the same job handles; a job
-- whose request is refused is rolled back and consumes no id.
CREATE TABLE IF NOT EXISTS upload_jobs (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    name       TEXT NOT NULL,
    overwrite  INTEGER NOT NULL,
    ended      INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Publish state: assets.ready_for_publish and assets.published_at, and an
-- upload job's upload_jobs.ready_for_publish and .preserve_publish_state,
-- are added by catalog::publish::migrate, on new catalogs as on old ones
-- (ADD COLUMN cannot be written idempotently here).
