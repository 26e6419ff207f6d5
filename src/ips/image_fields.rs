//! An image's own fields and parts as requests give them and replies show
//! them: zoom target and image map handles (`zt|<n>`, `im|<n>`), their
//! definitions checked, the caps, the refusals worded for them, and the
//! `ImageInfo` values read from the catalog.

use crate::catalog::{self, ImageMap, ImageMapDef, Part, ZoomTarget, ZoomTargetDef};
use crate::handles::CompanyHandle;

use super::refusal::Subject;
use super::value::{Params, Record, Value};
use super::{company_for, Call, Error};

/// The most items a `batchSetImageFields` or `batchSetThumbAsset` call may
/// carry; more is refused whole (30001).
pub(crate) const MAX_BATCH: usize = 1000;

/// The most zoom targets, and the most image maps, an image may have.
pub(crate) const MAX_PARTS: usize = 100;

/// The longest name, user data or action a part may have, in characters.
const MAX_TEXT: usize = 4096;

/// A part's handle prefix.
fn prefix(part: Part) -> &'static str {
    match part {
        Part::ZoomTarget => "zt",
        Part::ImageMap => "im",
    }
}

/// A part's name in messages.
fn label(part: Part) -> &'static str {
    match part {
        Part::ZoomTarget => "Zoom target",
        Part::ImageMap => "Image map",
    }
}

/// A part's handle, `zt|<n>` or `im|<n>`.
pub(crate) fn handle(part: Part, id: i64) -> String {
    format!("{}|{id}", prefix(part))
}

/// The row id a part's handle names, or 30001.
pub(crate) fn parse_handle(part: Part, raw: &str) -> Result<i64, Error> {
    raw.strip_prefix(prefix(part))
        .and_then(|rest| rest.strip_prefix('|'))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| Error::InvalidParameter(format!("Invalid {} handle '{raw}'", label(part).to_lowercase())))
}

/// The catalog's refusal of a change to a part or an image: the part's
/// own refusals name `part_raw` (the handle as sent), the others go as
/// `subject`'s.
pub(crate) fn refusal(subject: Subject<'_>, company: CompanyHandle, part_raw: &str, e: catalog::Error) -> Error {
    match e {
        catalog::Error::PartNotFound(part) => Error::InvalidParameter(format!(
            "{} '{part_raw}' was not found in company '{company}'",
            label(part)
        )),
        catalog::Error::TooManyParts(part, max) => Error::InvalidParameter(format!(
            "An image may have at most {max} {}s",
            label(part).to_lowercase()
        )),
        other => subject.refusal(other),
    }
}

fn int(p: &Params, name: &'static str) -> Result<i64, Error> {
    p.integer(name)?.ok_or(Error::MissingParameter(name))
}

fn text(p: &Params, name: &'static str, required: bool) -> Result<String, Error> {
    let value = match p.string(name) {
        Some(v) => v,
        None if required => return Err(Error::MissingParameter(name)),
        None => String::new(),
    };
    if value.chars().count() > MAX_TEXT {
        return Err(Error::InvalidParameter(format!(
            "{name} is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(value)
}

fn name(p: &Params) -> Result<String, Error> {
    let name = text(p, "name", true)?;
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(Error::InvalidParameter(format!("Invalid name '{name}'")));
    }
    Ok(name)
}

/// A zoom target as `saveZoomTarget` or a `ZoomTargetDefinition` gives it:
/// a named rectangle at non-negative coordinates with a positive size.
pub(crate) fn zoom_target(p: &Params) -> Result<ZoomTargetDef, Error> {
    let def = ZoomTargetDef {
        name: name(p)?,
        x: int(p, "xPosition")?,
        y: int(p, "yPosition")?,
        width: int(p, "width")?,
        height: int(p, "height")?,
        user_data: text(p, "userData", false)?,
    };
    if def.x < 0 || def.y < 0 {
        return Err(Error::InvalidParameter(format!(
            "xPosition and yPosition must not be negative ({}, {})",
            def.x, def.y
        )));
    }
    if def.width <= 0 || def.height <= 0 {
        return Err(Error::InvalidParameter(format!(
            "width and height must be positive ({} x {})",
            def.width, def.height
        )));
    }
    Ok(def)
}

/// An image map as `saveImageMap` or an `ImageMapDefinition` gives it: a
/// Region Shape constant and a region of integer points that fits it (a
/// rectangle's four numbers, a polygon's three points or more). `enabled`
/// is true in the versions before it (4.0 added it).
pub(crate) fn image_map(p: &Params) -> Result<ImageMapDef, Error> {
    let shape_type = text(p, "shapeType", true)?;
    let shape = ["Rectangle", "Polygon"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(shape_type.trim()))
        .ok_or_else(|| {
            Error::InvalidParameter(format!("shapeType must be Rectangle or Polygon, not '{shape_type}'"))
        })?;
    let region = text(p, "region", true)?;
    let numbers: Option<Vec<i64>> = region.split(',').map(|n| n.trim().parse().ok()).collect();
    let fits = match (&numbers, shape) {
        (Some(n), "Rectangle") => n.len() == 4,
        (Some(n), _) => n.len() >= 6 && n.len() % 2 == 0,
        (None, _) => false,
    };
    if !fits {
        return Err(Error::InvalidParameter(format!(
            "region '{region}' is not a {shape} (comma-separated integer coordinates)"
        )));
    }
    Ok(ImageMapDef {
        name: name(p)?,
        shape_type: shape.to_owned(),
        region,
        action: text(p, "action", true)?,
        enabled: p.boolean("enabled")?.unwrap_or(true),
    })
}

/// Refuses an array longer than `max` (30001).
pub(crate) fn capped<T>(items: Vec<T>, name: &str, max: usize) -> Result<Vec<T>, Error> {
    if items.len() > max {
        return Err(Error::InvalidParameter(format!(
            "{name} has {} items; at most {max} are accepted",
            items.len()
        )));
    }
    Ok(items)
}

/// `ImageInfo/zoomTargets`' items.
pub(crate) fn zoom_target_items(targets: &[ZoomTarget]) -> Vec<Value> {
    targets
        .iter()
        .map(|t| {
            Record::new()
                .with("zoomTargetHandle", handle(Part::ZoomTarget, t.id))
                .with("name", t.def.name.as_str())
                .with_number("xPosition", t.def.x)
                .with_number("yPosition", t.def.y)
                .with_number("width", t.def.width)
                .with_number("height", t.def.height)
                .with("userData", t.def.user_data.as_str())
                .with_number("position", t.position)
                .with("lastModified", t.modified.as_str())
                .into()
        })
        .collect()
}

/// `ImageInfo/imageMaps`' items.
pub(crate) fn image_map_items(maps: &[ImageMap]) -> Vec<Value> {
    maps.iter()
        .map(|m| {
            Record::new()
                .with("imageMapHandle", handle(Part::ImageMap, m.id))
                .with("name", m.def.name.as_str())
                .with("region", m.def.region.as_str())
                .with("action", m.def.action.as_str())
                .with("shapeType", m.def.shape_type.as_str())
                .with_number("position", m.position)
                .with_bool("enabled", m.def.enabled)
                .with("lastModified", m.modified.as_str())
                .into()
        })
        .collect()
}

/// `xsd:double` text for a resolution (`72.0`, `0.0` when none is set).
pub(crate) fn resolution(value: Option<f64>) -> String {
    format!("{:?}", value.unwrap_or(0.0))
}

/// `deleteZoomTarget` and `deleteImageMap`: the company's part named by
/// field `field`, removed.
pub(crate) async fn delete_part(call: &Call<'_>, p: Params, part: Part, field: &'static str) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_part = p.required(field)?;
    let company = company_for(call.principal, &raw_company)?;
    let id = parse_handle(part, &raw_part)?;
    call.state
        .catalog
        .delete_image_part(company.0, part, id, call.principal.user_id)
        .await
        .map_err(|e| match e {
            catalog::Error::AssetInTrash => Error::InvalidParameter(format!(
                "The image of {} '{raw_part}' is in the trash",
                label(part).to_lowercase()
            )),
            e => refusal(Subject::new(company, &raw_company), company, &raw_part, e),
        })?;
    Ok(Record::new())
}

/// What a save of one zoom target or image map names: the company, the
/// image, and the part to change (or none: a new one), each as sent too,
/// for the refusals.
pub(crate) struct SaveTarget {
    raw_company: String,
    raw_asset: String,
    raw_part: String,
    pub(crate) company: CompanyHandle,
    pub(crate) asset: crate::handles::AssetHandle,
    pub(crate) existing: Option<i64>,
}

impl SaveTarget {
    /// Reads `companyHandle`, `assetHandle` and the part's handle field.
    pub(crate) fn read(call: &Call<'_>, p: &Params, part: Part, field: &str) -> Result<SaveTarget, Error> {
        let raw_company = p.required("companyHandle")?;
        let raw_asset = p.required("assetHandle")?;
        let company = company_for(call.principal, &raw_company)?;
        let asset = super::refusal::asset_handle(&raw_asset)?;
        let existing = match p.text(field) {
            Some(raw) => Some(parse_handle(part, raw)?),
            None => None,
        };
        Ok(SaveTarget {
            raw_part: p.string(field).unwrap_or_default(),
            raw_company,
            raw_asset,
            company,
            asset,
            existing,
        })
    }

    /// The catalog's refusal of the save, as a fault naming what was sent.
    pub(crate) fn refusal(&self, e: catalog::Error) -> Error {
        refusal(
            Subject::new(self.company, &self.raw_company).asset(&self.raw_asset),
            self.company,
            &self.raw_part,
            e,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip_and_refuse_the_other_kind() {
        assert_eq!(handle(Part::ZoomTarget, 7), "zt|7");
        assert_eq!(parse_handle(Part::ZoomTarget, "zt|7").ok(), Some(7));
        assert_eq!(parse_handle(Part::ImageMap, "im|12").ok(), Some(12));
        for bad in ["im|7", "zt|", "zt|0", "zt|-1", "zt|1x", "7", "zt|7|1"] {
            assert!(parse_handle(Part::ZoomTarget, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolution_is_written_as_a_double() {
        assert_eq!(resolution(None), "0.0");
        assert_eq!(resolution(Some(72.0)), "72.0");
        assert_eq!(resolution(Some(150.5)), "150.5");
    }
}
