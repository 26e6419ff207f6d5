-- What an image keeps beyond its row (batchSetImageFields,
-- batchSetThumbAsset): its resolution, anchor, user data and thumbnail
-- asset, one row per image that has any of them set. Its zoom targets and
-- image maps (saveZoomTarget, setImageMaps, …), ordered by position. An
-- asset's removal (emptying the trash, deleting its folder) takes them with
-- it; a thumbnail asset's removal leaves the image without one.
CREATE TABLE IF NOT EXISTS image_fields (
    asset_id       INTEGER PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
    resolution     REAL,
    anchor_x       INTEGER,
    anchor_y       INTEGER,
    user_data      TEXT NOT NULL DEFAULT '',
    thumb_asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS image_fields_thumb ON image_fields (thumb_asset_id) WHERE thumb_asset_id IS NOT NULL;
-- Ids come from the `sequences` counters `zoom_target` and `image_map`, so
-- a deleted target's or map's handle is not handed out again (until a
-- reset starts the counters over).
CREATE TABLE IF NOT EXISTS zoom_targets (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    x           INTEGER NOT NULL,
    y           INTEGER NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    user_data   TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    modified_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS zoom_targets_asset ON zoom_targets (asset_id, position);
CREATE TABLE IF NOT EXISTS image_maps (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    shape_type  TEXT NOT NULL,
    region      TEXT NOT NULL,
    action      TEXT NOT NULL,
    position    INTEGER NOT NULL,
    enabled     INTEGER NOT NULL,
    modified_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS image_maps_asset ON image_maps (asset_id, position);
