-- Kameleoon's Automation API facade: its API clients, their sites and the
-- images on them. Applied on every open after schema.sql; idempotent.
CREATE TABLE IF NOT EXISTS kameleoon_clients (
    -- The account id (Image.createdById).
    id          INTEGER PRIMARY KEY,
    client_id   TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL
);
-- A site keeps its images in one IPS company's folder. The folder is kept
-- as a path, not a reference: IPS may rename or delete folders, and a clone
-- into a folder that is gone is refused rather than the folder's deletion.
CREATE TABLE IF NOT EXISTS kameleoon_sites (
    id          INTEGER PRIMARY KEY,
    client      INTEGER NOT NULL REFERENCES kameleoon_clients(id),
    company_id  INTEGER NOT NULL REFERENCES companies(id),
    folder      TEXT NOT NULL
);
-- An image is an IPS asset seen through Kameleoon: deleting the asset over
-- IPS deletes the image too.
CREATE TABLE IF NOT EXISTS kameleoon_images (
    id          INTEGER PRIMARY KEY,
    site        INTEGER NOT NULL REFERENCES kameleoon_sites(id),
    asset_id    INTEGER NOT NULL UNIQUE REFERENCES assets(id) ON DELETE CASCADE,
    created_by  INTEGER REFERENCES kameleoon_clients(id),
    -- NULL: the asset's IPS name.
    name        TEXT,
    file_name   TEXT NOT NULL,
    source      TEXT NOT NULL,
    alt_text    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    -- JSON arrays of strings.
    tags        TEXT NOT NULL DEFAULT '[]',
    keywords    TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kameleoon_images_site ON kameleoon_images (site);
