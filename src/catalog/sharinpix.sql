-- SharinPix's API facade: organizations and their secrets, albums (each
-- an IPS folder of the organization's company), images (each an IPS
-- asset), files uploaded to an album's upload form and not yet made
-- images, and imports by URL. Applied on every open after schema.sql;
-- idempotent.
CREATE TABLE IF NOT EXISTS sharinpix_orgs (
    id          TEXT PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies(id),
    -- The folder the organization's album folders are made in (ends in /).
    folder      TEXT NOT NULL
);
-- HS256 needs the secret itself to check a signature, so it is kept as
-- given, not hashed.
CREATE TABLE IF NOT EXISTS sharinpix_secrets (
    id          TEXT PRIMARY KEY,
    org         TEXT NOT NULL REFERENCES sharinpix_orgs(id),
    secret      TEXT NOT NULL
);
-- An album's images are kept in the folder `<org folder><album id>/`.
CREATE TABLE IF NOT EXISTS sharinpix_albums (
    org         TEXT NOT NULL REFERENCES sharinpix_orgs(id),
    id          TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org, id)
);
-- An image is an IPS asset seen through SharinPix: emptying the asset from
-- the IPS trash deletes the image too.
CREATE TABLE IF NOT EXISTS sharinpix_images (
    id          TEXT PRIMARY KEY,
    org         TEXT NOT NULL,
    album       TEXT NOT NULL,
    asset_id    INTEGER NOT NULL UNIQUE REFERENCES assets(id) ON DELETE CASCADE,
    -- The image a duplicate was made from; NULL for an original.
    group_id    TEXT,
    filename    TEXT NOT NULL,
    -- JSON objects, as the API shows them.
    infos       TEXT NOT NULL DEFAULT '{}',
    metadatas   TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    FOREIGN KEY (org, album) REFERENCES sharinpix_albums(org, id)
);
CREATE INDEX IF NOT EXISTS sharinpix_images_album ON sharinpix_images (org, album);
-- A file posted to an album's upload form, waiting for the client to make
-- it an image (POST albums/:id/images); it keeps its stored bytes named.
CREATE TABLE IF NOT EXISTS sharinpix_uploads (
    public_id   TEXT PRIMARY KEY,
    org         TEXT NOT NULL,
    album       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    format      TEXT NOT NULL,
    byte_size   INTEGER NOT NULL,
    original_filename TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    FOREIGN KEY (org, album) REFERENCES sharinpix_albums(org, id)
);
CREATE TABLE IF NOT EXISTS sharinpix_imports (
    id          TEXT PRIMARY KEY,
    org         TEXT NOT NULL REFERENCES sharinpix_orgs(id),
    album       TEXT NOT NULL,
    import_type TEXT,
    -- The request's parameters, as a JSON object.
    params      TEXT NOT NULL,
    -- Set once the file is fetched and stored; `error` if it could not be.
    image_id    TEXT,
    error       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
