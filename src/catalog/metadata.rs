//! Metadata fields and the values assets hold for them: the rows behind
//! `getMetadataFields`, `createMetadataField`, `updateMetadataField`,
//! `deleteMetadataField`, `setAssetMetadata`, `batchSetAssetMetadata`,
//! `deleteAssetMetadata` and the values `Asset/metadataArray` shows.
//!
//! The catalog keeps values as the operation layer converted them (text,
//! and the number a typed value compares as); which text a field type
//! accepts is decided above. Every change is one catalog job; a field's
//! deletion takes its values with it (a foreign key), as does an asset's.

use std::collections::HashMap;

use super::db::{Conn, Row};
use rusqlite::{params, OptionalExtension};

use super::assets::{each_item, find, require_company, touch};
use super::{AssetDetail, Catalog, Error};
use crate::handles::AssetHandle;

/// A metadata field of a company.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataField {
    /// Row id.
    pub id: i64,
    /// Owning company.
    pub company_id: i64,
    /// The asset type it applies to (`Asset`: every type).
    pub asset_type: String,
    /// Its name.
    pub name: String,
    /// Its type (`String`, `Int`, `MultiTag`, …).
    pub field_type: String,
    /// The value an asset without one shows.
    pub default_value: String,
    /// `isHidden`.
    pub hidden: bool,
    /// `isEnforced`: values are checked against the type.
    pub enforced: bool,
    /// `initialTagValue`.
    pub initial_tag_value: Option<String>,
}

/// How a request names a field: by company, asset type and name, as its
/// handle does. Both compare ASCII-case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldKey {
    /// The asset type (`Asset` for every type).
    pub asset_type: String,
    /// The field's name.
    pub name: String,
}

/// What `updateMetadataField` changes; `None` keeps the current value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldChange {
    /// A new name.
    pub name: Option<String>,
    /// A new default.
    pub default_value: Option<String>,
    /// A new `isHidden`.
    pub hidden: Option<bool>,
    /// A new `isEnforced`.
    pub enforced: Option<bool>,
    /// A new `initialTagValue`.
    pub initial_tag_value: Option<String>,
}

/// One value as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredValue {
    /// Its text.
    pub text: String,
    /// The number it compares as, for Boolean, Int and Float fields.
    pub num: Option<f64>,
}

/// A change to one field's values on an asset.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueWrite {
    /// The field holds exactly these values (none clears it).
    Set(Vec<StoredValue>),
    /// These tags are added to those it holds.
    Add(Vec<StoredValue>),
    /// These tags are removed.
    Remove(Vec<String>),
}

/// One field's change, for one asset.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldWrite {
    /// The field's id (as `metadata_fields` answered it).
    pub field_id: i64,
    /// The asset type the field applies to (`Asset`: all).
    pub asset_type: String,
    /// The change.
    pub write: ValueWrite,
}

/// A value an asset shows in its `metadataArray`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataValue {
    /// The field's name.
    pub field: String,
    /// The field's type.
    pub field_type: String,
    /// Its values, in the order they sort (several for tag fields).
    pub values: Vec<String>,
    /// Whether these are the field's default, the asset having none.
    pub is_default: bool,
}

/// The asset types the IPS API names (its "Asset Types" constants);
/// `Asset` stands for every type.
pub const ASSET_TYPES: &[&str] = &[
    "Aco",
    "AdjustedView",
    "AnimatedGif",
    "Asset",
    "AssetSet",
    "Audio",
    "Cabinet",
    "Catalog",
    "ColorSwatch",
    "CuePoint",
    "Excel",
    "Flash",
    "Font",
    "IccProfile",
    "Illustrator",
    "Image",
    "ImageMap",
    "ImageSet",
    "InDesign",
    "LayerView",
    "Mask",
    "MasterVideo",
    "Pdf",
    "PDFSettings",
    "PostScript",
    "PowerPoint",
    "PremierExpressRemix",
    "PsdTemplate",
    "RenderScene",
    "RenderSet",
    "Rtf",
    "SpinSet",
    "Svg",
    "Template",
    "Video",
    "VideoCaption",
    "ViewerPreset",
    "ViewerSwf",
    "Vignette",
    "Watermark",
    "WindowsCovering",
    "Word",
    "Xml",
    "Xsl",
    "Zip",
    "ZoomTarget",
];

/// The metadata field types (the "Metadata Field Types" constants).
pub const FIELD_TYPES: &[&str] = &[
    "Untyped",
    "Boolean",
    "BooleanTag",
    "Color",
    "Date",
    "Dimension",
    "FileName",
    "Float",
    "Int",
    "MultiFixedTag",
    "MultiTag",
    "SingleFixedTag",
    "SingleTag",
    "String",
];

/// Most fields one company may define: each is a column of every search.
pub const MAX_FIELDS_PER_COMPANY: i64 = 1000;

const FIELD_COLUMNS: &str =
    "id, company_id, asset_type, name, field_type, default_value, is_hidden, is_enforced, initial_tag_value";

fn field_from_row(r: &Row<'_>) -> rusqlite::Result<MetadataField> {
    Ok(MetadataField {
        id: r.get(0)?,
        company_id: r.get(1)?,
        asset_type: r.get(2)?,
        name: r.get(3)?,
        field_type: r.get(4)?,
        default_value: r.get(5)?,
        hidden: r.get(6)?,
        enforced: r.get(7)?,
        initial_tag_value: r.get(8)?,
    })
}

/// The company's field `key`, or `MetadataFieldNotFound`.
pub(super) fn field(conn: &Conn, company_id: i64, key: &FieldKey) -> Result<MetadataField, Error> {
    conn.prepare_cached(&format!(
        "SELECT {FIELD_COLUMNS} FROM metadata_fields
         WHERE company_id = ?1 AND asset_type = ?2 COLLATE NOCASE AND name = ?3 COLLATE NOCASE"
    ))?
    .query_row(params![company_id, key.asset_type, key.name], field_from_row)
    .optional()?
    .ok_or(Error::MetadataFieldNotFound)
}

fn fields(conn: &Conn, company_id: i64, asset_type: Option<&str>) -> Result<Vec<MetadataField>, Error> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FIELD_COLUMNS} FROM metadata_fields
         WHERE company_id = ?1 AND (asset_type IN (?2 COLLATE NOCASE, 'Asset') OR ?2 IS NULL)
         ORDER BY asset_type = 'Asset' DESC, asset_type, name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map(params![company_id, asset_type], field_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn insert_field(conn: &Conn, company_id: i64, f: &MetadataField) -> Result<MetadataField, Error> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM metadata_fields WHERE company_id = ?1")?
        .query_row([company_id], |r| r.get(0))?;
    if count >= MAX_FIELDS_PER_COMPANY {
        return Err(Error::TooManyMetadataFields(MAX_FIELDS_PER_COMPANY));
    }
    let key = FieldKey {
        asset_type: f.asset_type.clone(),
        name: f.name.clone(),
    };
    if field(conn, company_id, &key).is_ok() {
        return Err(Error::MetadataFieldExists);
    }
    conn.prepare_cached(
        "INSERT INTO metadata_fields (company_id, asset_type, name, field_type, default_value, is_hidden,
             is_enforced, initial_tag_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        company_id,
        f.asset_type,
        f.name,
        f.field_type,
        f.default_value,
        f.hidden,
        f.enforced,
        f.initial_tag_value
    ])?;
    field(conn, company_id, &key)
}

fn update_field(conn: &Conn, company_id: i64, key: &FieldKey, change: &FieldChange) -> Result<MetadataField, Error> {
    let current = field(conn, company_id, key)?;
    let name = change.name.clone().unwrap_or_else(|| current.name.clone());
    if !name.eq_ignore_ascii_case(&current.name) {
        let taken = FieldKey {
            asset_type: current.asset_type.clone(),
            name: name.clone(),
        };
        if field(conn, company_id, &taken).is_ok() {
            return Err(Error::MetadataFieldExists);
        }
    }
    conn.prepare_cached(
        "UPDATE metadata_fields SET name = ?2, default_value = ?3, is_hidden = ?4, is_enforced = ?5,
             initial_tag_value = ?6 WHERE id = ?1",
    )?
    .execute(params![
        current.id,
        name,
        change.default_value.as_ref().unwrap_or(&current.default_value),
        change.hidden.unwrap_or(current.hidden),
        change.enforced.unwrap_or(current.enforced),
        change.initial_tag_value.as_ref().or(current.initial_tag_value.as_ref()),
    ])?;
    field(
        conn,
        company_id,
        &FieldKey {
            asset_type: current.asset_type,
            name,
        },
    )
}

fn insert_values(conn: &Conn, asset_id: i64, field_id: i64, values: &[StoredValue]) -> Result<(), Error> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO asset_metadata (asset_id, field_id, value, num) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (asset_id, field_id, value) DO UPDATE SET num = excluded.num",
    )?;
    for v in values {
        stmt.execute(params![asset_id, field_id, v.text, v.num])?;
    }
    Ok(())
}

/// Applies one asset's writes: the asset must be live and every field the
/// company's (checked by the caller, and by the foreign key).
fn write_asset(
    conn: &Conn,
    company_id: i64,
    handle: AssetHandle,
    writes: &[FieldWrite],
    actor: i64,
) -> Result<(), Error> {
    let asset = find(conn, company_id, handle)?;
    for w in writes {
        if w.asset_type != "Asset" && !w.asset_type.eq_ignore_ascii_case(&asset.asset_type) {
            return Err(Error::MetadataFieldNotForType(w.asset_type.clone(), asset.asset_type));
        }
        match &w.write {
            ValueWrite::Set(values) => {
                conn.prepare_cached("DELETE FROM asset_metadata WHERE asset_id = ?1 AND field_id = ?2")?
                    .execute(params![asset.id, w.field_id])?;
                insert_values(conn, asset.id, w.field_id, values)?;
            }
            ValueWrite::Add(values) => insert_values(conn, asset.id, w.field_id, values)?,
            ValueWrite::Remove(values) => {
                let mut stmt = conn.prepare_cached(
                    "DELETE FROM asset_metadata WHERE asset_id = ?1 AND field_id = ?2 AND value = ?3",
                )?;
                for v in values {
                    stmt.execute(params![asset.id, w.field_id, v])?;
                }
            }
        }
    }
    touch(conn, asset.id, actor)
}

/// Every stored value of the assets, by asset id, then by field id.
fn stored_values(conn: &Conn, asset_ids: &[i64]) -> Result<HashMap<i64, HashMap<i64, Vec<String>>>, Error> {
    let mut out: HashMap<i64, HashMap<i64, Vec<String>>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT field_id, value FROM asset_metadata WHERE asset_id = ?1 ORDER BY field_id, value COLLATE NOCASE",
    )?;
    for &id in asset_ids {
        let rows = stmt.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (field, value) = row?;
            out.entry(id).or_default().entry(field).or_default().push(value);
        }
    }
    Ok(out)
}

/// Fills each detail's `metadata`: its stored values, and the non-empty
/// defaults of the fields of its type it holds no value for, in field
/// order.
pub(super) fn attach(conn: &Conn, details: &mut [AssetDetail]) -> Result<(), Error> {
    if details.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = details.iter().map(|d| d.asset.id).collect();
    let mut stored = stored_values(conn, &ids)?;
    let mut by_company: HashMap<i64, Vec<MetadataField>> = HashMap::new();
    for d in details.iter_mut() {
        let company = d.asset.company_id;
        if let std::collections::hash_map::Entry::Vacant(e) = by_company.entry(company) {
            e.insert(fields(conn, company, None)?);
        }
        let mut own = stored.remove(&d.asset.id).unwrap_or_default();
        let applies = |f: &&MetadataField| {
            f.asset_type.eq_ignore_ascii_case("Asset") || f.asset_type.eq_ignore_ascii_case(&d.asset.asset_type)
        };
        d.metadata = by_company[&company]
            .iter()
            .filter(applies)
            .filter_map(|f| {
                let (values, is_default) = match own.remove(&f.id) {
                    Some(values) => (values, false),
                    None if f.default_value.is_empty() => return None,
                    None => (vec![f.default_value.clone()], true),
                };
                Some(MetadataValue {
                    field: f.name.clone(),
                    field_type: f.field_type.clone(),
                    values,
                    is_default,
                })
            })
            .collect();
    }
    Ok(())
}

/// A seeded company's field.
pub(super) fn seed_field(conn: &Conn, company_id: i64, f: &MetadataField) -> Result<(), Error> {
    insert_field(conn, company_id, f).map(|_| ())
}

impl Catalog {
    /// The company's fields that apply to `asset_type` (those of the type
    /// and those of every type), or all of them.
    pub async fn metadata_fields(
        &self,
        company_id: i64,
        asset_type: Option<String>,
    ) -> Result<Vec<MetadataField>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            fields(t.conn, company_id, asset_type.as_deref())
        })
        .await
    }

    /// The company's field `key`.
    pub async fn metadata_field(&self, company_id: i64, key: FieldKey) -> Result<MetadataField, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            field(t.conn, company_id, &key)
        })
        .await
    }

    /// Defines a field (its `id` and `company_id` are ignored); the field
    /// as stored. A name the type already has is `MetadataFieldExists`.
    pub async fn create_metadata_field(&self, company_id: i64, new: MetadataField) -> Result<MetadataField, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            insert_field(t.conn, company_id, &new)
        })
        .await
    }

    /// Changes a field; the field as stored.
    pub async fn update_metadata_field(
        &self,
        company_id: i64,
        key: FieldKey,
        change: FieldChange,
    ) -> Result<MetadataField, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            update_field(t.conn, company_id, &key, &change)
        })
        .await
    }

    /// Deletes a field and every value assets hold for it.
    pub async fn delete_metadata_field(&self, company_id: i64, key: FieldKey) -> Result<(), Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let f = field(t.conn, company_id, &key)?;
            t.conn
                .prepare_cached("DELETE FROM metadata_fields WHERE id = ?1")?
                .execute([f.id])?;
            Ok(())
        })
        .await
    }

    /// Applies each asset's writes on its own, in order: one result per
    /// item; a failed item leaves nothing behind.
    pub async fn write_asset_metadata(
        &self,
        company_id: i64,
        items: Vec<(AssetHandle, Vec<FieldWrite>)>,
        actor: i64,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            each_item(t.conn, items, |conn, (handle, writes)| {
                write_asset(conn, company_id, handle, &writes, actor)
            })
        })
        .await
    }

    /// The distinct values the company's assets hold for a field, with how
    /// many live assets hold each, in value order.
    pub async fn metadata_value_counts(&self, company_id: i64, field_id: i64) -> Result<Vec<(String, i64)>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let mut stmt = t.conn.prepare_cached(
                "SELECT m.value, count(*) FROM asset_metadata m JOIN assets a ON a.id = m.asset_id
                 WHERE m.field_id = ?1 AND a.company_id = ?2 AND a.trashed_at IS NULL
                 GROUP BY m.value ORDER BY m.value",
            )?;
            let rows = stmt.query_map(params![field_id, company_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
