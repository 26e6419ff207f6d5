//! What an image keeps beyond its row: its editable fields (resolution,
//! anchor, user data), its thumbnail asset, its zoom targets and its image
//! maps (`batchSetImageFields`, `batchSetThumbAsset`, `saveZoomTarget`,
//! `setZoomTargets`, `deleteZoomTarget` and the image map three).
//!
//! Every change is one catalog job and a change to the image
//! (`lastModified`); an image in the trash is refused, as by every other
//! change.

use std::collections::HashMap;

use super::db::Conn;
use rusqlite::{params, OptionalExtension};

use super::assets::{each_item, find, require_company, touch};
use super::queries::timestamp;
use super::{AssetDetail, Catalog, Error};
use crate::handles::AssetHandle;

/// An image's own fields and parts, as `ImageInfo` shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageExtras {
    /// Its resolution, when one was set.
    pub resolution: Option<f64>,
    /// Its anchor's x, when one was set.
    pub anchor_x: Option<i64>,
    /// Its anchor's y, when one was set.
    pub anchor_y: Option<i64>,
    /// Its user data (empty until set).
    pub user_data: String,
    /// The row id of its thumbnail asset, when it has one.
    pub thumb_asset_id: Option<i64>,
    /// Its zoom targets, by position.
    pub zoom_targets: Vec<ZoomTarget>,
    /// Its image maps, by position.
    pub image_maps: Vec<ImageMap>,
}

// A stored resolution is finite (the operation refuses others), so equality
// is total.
impl Eq for ImageExtras {}

/// A stored zoom target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoomTarget {
    /// Row id (its handle's number).
    pub id: i64,
    /// What it defines.
    pub def: ZoomTargetDef,
    /// Its place in the image's list.
    pub position: i64,
    /// Last change, as the catalog writes times.
    pub modified: String,
}

/// A zoom target as a request defines it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZoomTargetDef {
    /// Its name.
    pub name: String,
    /// Left, in pixels.
    pub x: i64,
    /// Top, in pixels.
    pub y: i64,
    /// Width, in pixels.
    pub width: i64,
    /// Height, in pixels.
    pub height: i64,
    /// The customer's data.
    pub user_data: String,
}

/// A stored image map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageMap {
    /// Row id (its handle's number).
    pub id: i64,
    /// What it defines.
    pub def: ImageMapDef,
    /// Its place in the image's list (the Z order).
    pub position: i64,
    /// Last change, as the catalog writes times.
    pub modified: String,
}

/// An image map as a request defines it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageMapDef {
    /// Its name.
    pub name: String,
    /// `Rectangle` or `Polygon`.
    pub shape_type: String,
    /// The region's points, comma-separated.
    pub region: String,
    /// What a click does (a URL, a script).
    pub action: String,
    /// Whether it is on.
    pub enabled: bool,
}

/// One image's `batchSetImageFields` update: a field left `None` stays.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageFieldUpdate {
    /// The image.
    pub handle: Option<AssetHandle>,
    /// New resolution.
    pub resolution: Option<f64>,
    /// New anchor x.
    pub anchor_x: Option<i64>,
    /// New anchor y.
    pub anchor_y: Option<i64>,
    /// New user data.
    pub user_data: Option<String>,
}

/// Which of an image's parts a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Its zoom targets.
    ZoomTarget,
    /// Its image maps.
    ImageMap,
}

impl Part {
    fn table(self) -> &'static str {
        match self {
            Part::ZoomTarget => "zoom_targets",
            Part::ImageMap => "image_maps",
        }
    }

    /// The `sequences` counter of its ids.
    fn sequence(self) -> &'static str {
        match self {
            Part::ZoomTarget => "zoom_target",
            Part::ImageMap => "image_map",
        }
    }

    /// A new row's id, the counter moved past it.
    fn next_id(self, conn: &Conn) -> Result<i64, Error> {
        let id = super::counters::next_id(conn, self.sequence(), self.table())?;
        super::counters::set(conn, self.sequence(), id + 1)?;
        Ok(id)
    }
}

/// The image a handle names in the company: live, and an Image.
fn image(conn: &Conn, company_id: i64, handle: AssetHandle) -> Result<i64, Error> {
    let asset = find(conn, company_id, handle)?;
    if asset.asset_type != "Image" {
        return Err(Error::NotAnImage(asset.asset_type));
    }
    Ok(asset.id)
}

/// Makes sure the image has its row of fields.
fn ensure_row(conn: &Conn, asset_id: i64) -> Result<(), Error> {
    conn.prepare_cached("INSERT OR IGNORE INTO image_fields (asset_id) VALUES (?1)")?
        .execute([asset_id])?;
    Ok(())
}

fn set_fields(conn: &Conn, company_id: i64, u: ImageFieldUpdate, actor: i64) -> Result<(), Error> {
    let id = image(conn, company_id, u.handle.ok_or(Error::AssetNotFound)?)?;
    ensure_row(conn, id)?;
    conn.prepare_cached(
        "UPDATE image_fields SET resolution = COALESCE(?2, resolution), anchor_x = COALESCE(?3, anchor_x),
                anchor_y = COALESCE(?4, anchor_y), user_data = COALESCE(?5, user_data) WHERE asset_id = ?1",
    )?
    .execute(params![id, u.resolution, u.anchor_x, u.anchor_y, u.user_data])?;
    touch(conn, id, actor)
}

fn set_thumb(
    conn: &Conn,
    company_id: i64,
    handle: AssetHandle,
    thumb: Option<AssetHandle>,
    actor: i64,
) -> Result<(), Error> {
    let asset = find(conn, company_id, handle)?;
    let thumb_id = match thumb {
        // The thumbnail's own refusals say so, to be told from the asset's.
        Some(t) => Some(image(conn, company_id, t).map_err(|e| Error::Thumbnail(Box::new(e)))?),
        None => None,
    };
    ensure_row(conn, asset.id)?;
    conn.prepare_cached("UPDATE image_fields SET thumb_asset_id = ?2 WHERE asset_id = ?1")?
        .execute(params![asset.id, thumb_id])?;
    touch(conn, asset.id, actor)
}

/// The live image a part's row belongs to, in the company.
fn part_owner(conn: &Conn, company_id: i64, part: Part, id: i64) -> Result<i64, Error> {
    let sql = format!(
        "SELECT p.asset_id, a.trashed_at IS NOT NULL FROM {} p JOIN assets a ON a.id = p.asset_id
         WHERE p.id = ?1 AND a.company_id = ?2",
        part.table()
    );
    let (asset, trashed): (i64, bool) = conn
        .prepare_cached(&sql)?
        .query_row(params![id, company_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(Error::PartNotFound(part))?;
    if trashed {
        return Err(Error::AssetInTrash);
    }
    Ok(asset)
}

fn count(conn: &Conn, part: Part, asset_id: i64) -> Result<i64, Error> {
    let sql = format!("SELECT count(*) FROM {} WHERE asset_id = ?1", part.table());
    Ok(conn.prepare_cached(&sql)?.query_row([asset_id], |r| r.get(0))?)
}

/// The image's parts of one kind become `defs`, in order (`insert` writes
/// one at a position); the new parts' ids, in order.
fn replace_parts<D>(
    conn: &Conn,
    company_id: i64,
    handle: AssetHandle,
    part: Part,
    defs: &[D],
    insert: fn(&Conn, i64, &D, i64) -> Result<i64, Error>,
    actor: i64,
) -> Result<Vec<i64>, Error> {
    let asset = image(conn, company_id, handle)?;
    conn.prepare_cached(&format!("DELETE FROM {} WHERE asset_id = ?1", part.table()))?
        .execute([asset])?;
    let ids = (0_i64..)
        .zip(defs)
        .map(|(i, d)| insert(conn, asset, d, i))
        .collect::<Result<Vec<_>, _>>()?;
    touch(conn, asset, actor)?;
    Ok(ids)
}

fn insert_target(conn: &Conn, asset_id: i64, d: &ZoomTargetDef, position: i64) -> Result<i64, Error> {
    let id = Part::ZoomTarget.next_id(conn)?;
    conn.prepare_cached(
        "INSERT INTO zoom_targets (id, asset_id, name, x, y, width, height, user_data, position, modified_at)
         VALUES (?10, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        asset_id,
        d.name,
        d.x,
        d.y,
        d.width,
        d.height,
        d.user_data,
        position,
        timestamp(std::time::SystemTime::now()),
        id
    ])?;
    Ok(id)
}

fn insert_map(conn: &Conn, asset_id: i64, d: &ImageMapDef, position: i64) -> Result<i64, Error> {
    let id = Part::ImageMap.next_id(conn)?;
    conn.prepare_cached(
        "INSERT INTO image_maps (id, asset_id, name, shape_type, region, action, position, enabled, modified_at)
         VALUES (?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        asset_id,
        d.name,
        d.shape_type,
        d.region,
        d.action,
        position,
        d.enabled,
        timestamp(std::time::SystemTime::now()),
        id
    ])?;
    Ok(id)
}

/// Fills each detail's `image`: its fields, zoom targets and image maps.
pub(super) fn attach(conn: &Conn, details: &mut [AssetDetail]) -> Result<(), Error> {
    let mut fields = conn.prepare_cached(
        "SELECT resolution, anchor_x, anchor_y, user_data, thumb_asset_id FROM image_fields WHERE asset_id = ?1",
    )?;
    let mut targets = conn.prepare_cached(
        "SELECT id, name, x, y, width, height, user_data, position, modified_at FROM zoom_targets
         WHERE asset_id = ?1 ORDER BY position, id",
    )?;
    let mut maps = conn.prepare_cached(
        "SELECT id, name, shape_type, region, action, enabled, position, modified_at FROM image_maps
         WHERE asset_id = ?1 ORDER BY position, id",
    )?;
    let mut seen: HashMap<i64, ImageExtras> = HashMap::new();
    for d in details.iter_mut() {
        let id = d.asset.id;
        if let Some(known) = seen.get(&id) {
            d.image = known.clone();
            continue;
        }
        let mut extras = fields
            .query_row([id], |r| {
                Ok(ImageExtras {
                    resolution: r.get(0)?,
                    anchor_x: r.get(1)?,
                    anchor_y: r.get(2)?,
                    user_data: r.get(3)?,
                    thumb_asset_id: r.get(4)?,
                    ..ImageExtras::default()
                })
            })
            .optional()?
            .unwrap_or_default();
        extras.zoom_targets = targets
            .query_map([id], |r| {
                Ok(ZoomTarget {
                    id: r.get(0)?,
                    def: ZoomTargetDef {
                        name: r.get(1)?,
                        x: r.get(2)?,
                        y: r.get(3)?,
                        width: r.get(4)?,
                        height: r.get(5)?,
                        user_data: r.get(6)?,
                    },
                    position: r.get(7)?,
                    modified: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        extras.image_maps = maps
            .query_map([id], |r| {
                Ok(ImageMap {
                    id: r.get(0)?,
                    def: ImageMapDef {
                        name: r.get(1)?,
                        shape_type: r.get(2)?,
                        region: r.get(3)?,
                        action: r.get(4)?,
                        enabled: r.get(5)?,
                    },
                    position: r.get(6)?,
                    modified: r.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        seen.insert(id, extras.clone());
        d.image = extras;
    }
    Ok(())
}

/// Empties the tables and starts the handle counters over (a reset).
pub(super) fn clear(conn: &Conn) -> Result<(), Error> {
    conn.execute_batch(
        "DELETE FROM zoom_targets; DELETE FROM image_maps; DELETE FROM image_fields;
",
    )?;
    Ok(())
}

impl Catalog {
    /// `batchSetImageFields`: each update on its own, in order; an update
    /// with no handle (one that did not parse) is not found.
    pub async fn set_image_fields(
        &self,
        company_id: i64,
        updates: Vec<ImageFieldUpdate>,
        actor: i64,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            each_item(t.conn, updates, |conn, u| set_fields(conn, company_id, u, actor))
        })
        .await
    }

    /// `batchSetThumbAsset`: each asset's thumbnail (an Image of the
    /// company), or none, on its own, in order.
    pub async fn set_thumb_assets(
        &self,
        company_id: i64,
        updates: Vec<(AssetHandle, Option<AssetHandle>)>,
        actor: i64,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            each_item(t.conn, updates, |conn, (asset, thumb)| {
                set_thumb(conn, company_id, asset, thumb, actor)
            })
        })
        .await
    }

    /// `saveZoomTarget`: a new target last in the image's list (at most
    /// `max` of them), or the image's target `existing` changed in place.
    pub async fn save_zoom_target(
        &self,
        company_id: i64,
        handle: AssetHandle,
        existing: Option<i64>,
        def: ZoomTargetDef,
        max: i64,
        actor: i64,
    ) -> Result<i64, Error> {
        self.call(move |t| {
            let asset = image(t.conn, company_id, handle)?;
            let id = match existing {
                Some(id) => {
                    if part_owner(t.conn, company_id, Part::ZoomTarget, id)? != asset {
                        return Err(Error::PartNotFound(Part::ZoomTarget));
                    }
                    t.conn
                        .prepare_cached(
                            "UPDATE zoom_targets SET name = ?2, x = ?3, y = ?4, width = ?5, height = ?6,
                                    user_data = ?7, modified_at = ?8 WHERE id = ?1",
                        )?
                        .execute(params![
                            id,
                            def.name,
                            def.x,
                            def.y,
                            def.width,
                            def.height,
                            def.user_data,
                            timestamp(std::time::SystemTime::now())
                        ])?;
                    id
                }
                None => {
                    let n = count(t.conn, Part::ZoomTarget, asset)?;
                    if n >= max {
                        return Err(Error::TooManyParts(Part::ZoomTarget, max));
                    }
                    insert_target(t.conn, asset, &def, n)?
                }
            };
            touch(t.conn, asset, actor)?;
            Ok(id)
        })
        .await
    }

    /// `setZoomTargets`: the image's targets become `defs`, in order; the
    /// new handles' ids, in order.
    pub async fn set_zoom_targets(
        &self,
        company_id: i64,
        handle: AssetHandle,
        defs: Vec<ZoomTargetDef>,
        actor: i64,
    ) -> Result<Vec<i64>, Error> {
        self.call(move |t| {
            replace_parts(
                t.conn,
                company_id,
                handle,
                Part::ZoomTarget,
                &defs,
                insert_target,
                actor,
            )
        })
        .await
    }

    /// `saveImageMap`: a new map (at most `max` per image), or the image's
    /// map `existing` changed in place; `position` places it (a new one
    /// goes last without).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_image_map(
        &self,
        company_id: i64,
        handle: AssetHandle,
        existing: Option<i64>,
        def: ImageMapDef,
        position: Option<i64>,
        max: i64,
        actor: i64,
    ) -> Result<i64, Error> {
        self.call(move |t| {
            let asset = image(t.conn, company_id, handle)?;
            let id = match existing {
                Some(id) => {
                    if part_owner(t.conn, company_id, Part::ImageMap, id)? != asset {
                        return Err(Error::PartNotFound(Part::ImageMap));
                    }
                    t.conn
                        .prepare_cached(
                            "UPDATE image_maps SET name = ?2, shape_type = ?3, region = ?4, action = ?5,
                                    enabled = ?6, position = COALESCE(?7, position), modified_at = ?8 WHERE id = ?1",
                        )?
                        .execute(params![
                            id,
                            def.name,
                            def.shape_type,
                            def.region,
                            def.action,
                            def.enabled,
                            position,
                            timestamp(std::time::SystemTime::now())
                        ])?;
                    id
                }
                None => {
                    let n = count(t.conn, Part::ImageMap, asset)?;
                    if n >= max {
                        return Err(Error::TooManyParts(Part::ImageMap, max));
                    }
                    insert_map(t.conn, asset, &def, position.unwrap_or(n))?
                }
            };
            touch(t.conn, asset, actor)?;
            Ok(id)
        })
        .await
    }

    /// `setImageMaps`: the image's maps become `defs`, in order; the new
    /// handles' ids, in order.
    pub async fn set_image_maps(
        &self,
        company_id: i64,
        handle: AssetHandle,
        defs: Vec<ImageMapDef>,
        actor: i64,
    ) -> Result<Vec<i64>, Error> {
        self.call(move |t| replace_parts(t.conn, company_id, handle, Part::ImageMap, &defs, insert_map, actor))
            .await
    }

    /// `deleteZoomTarget` and `deleteImageMap`: removes the company's part
    /// `id` (its image must not be in the trash).
    pub async fn delete_image_part(&self, company_id: i64, part: Part, id: i64, actor: i64) -> Result<(), Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let asset = part_owner(t.conn, company_id, part, id)?;
            let sql = format!("DELETE FROM {} WHERE id = ?1", part.table());
            t.conn.prepare_cached(&sql)?.execute([id])?;
            touch(t.conn, asset, actor)
        })
        .await
    }
}
