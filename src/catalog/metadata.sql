-- Metadata fields (getMetadataFields, createMetadataField, …) and the
-- values assets hold for them (setAssetMetadata, batchSetAssetMetadata).
-- A field applies to one asset type, or to all (asset_type 'Asset'); its
-- name is unique per company and type, as its handle
-- m|<company>|<TYPE>|<name> is built from the three.
CREATE TABLE IF NOT EXISTS metadata_fields (
    id                INTEGER PRIMARY KEY,
    company_id        INTEGER NOT NULL REFERENCES companies(id),
    asset_type        TEXT NOT NULL,
    name              TEXT NOT NULL,
    field_type        TEXT NOT NULL,
    default_value     TEXT NOT NULL DEFAULT '',
    is_hidden         INTEGER NOT NULL DEFAULT 0,
    is_enforced       INTEGER NOT NULL DEFAULT 0,
    initial_tag_value TEXT,
    UNIQUE (company_id, asset_type COLLATE NOCASE, name COLLATE NOCASE)
);
-- One row per value: one for a single-valued field, one per tag for the
-- multi-tag types. `value` is the text form (dates as the catalog writes
-- times, so that they compare as text); `num` the number a Boolean, Int or
-- Float value compares as. A field's or an asset's deletion takes its
-- values with it.
CREATE TABLE IF NOT EXISTS asset_metadata (
    asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    field_id INTEGER NOT NULL REFERENCES metadata_fields(id) ON DELETE CASCADE,
    value    TEXT NOT NULL COLLATE NOCASE,
    num      REAL,
    PRIMARY KEY (asset_id, field_id, value)
) WITHOUT ROWID;
-- Searches go from a field's values to the assets holding them.
CREATE INDEX IF NOT EXISTS asset_metadata_field_value ON asset_metadata (field_id, value);
CREATE INDEX IF NOT EXISTS asset_metadata_field_num ON asset_metadata (field_id, num) WHERE num IS NOT NULL;
