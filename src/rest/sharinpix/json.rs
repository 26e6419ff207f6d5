//! SharinPix's JSON: the `Image`, `Album` and import objects written in the
//! documents' field order, and request bodies (JSON or forms, whose
//! `a[b]=…` and `a[]=…` keys Rails reads as objects and arrays) read into
//! one JSON object the endpoints pick their fields from.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::rest::form;
use crate::sharinpix::{Album, Error, Image, Import};

/// `thumbnails` of an image.
#[derive(Serialize)]
struct Thumbnails<'a> {
    original: &'a str,
    full_no_sharinpix: &'a str,
    full: &'a str,
    large: &'a str,
    mini: &'a str,
}

/// `external_urls` of an image.
#[derive(Serialize)]
struct ExternalUrls<'a> {
    fill100: &'a str,
    fit2000: &'a str,
    mini: &'a str,
    large: &'a str,
    full: &'a str,
}

/// The image object.
#[derive(Serialize)]
pub(super) struct ImageJson<'a> {
    id: &'a str,
    public_id: &'a str,
    infos: &'a Map<String, Value>,
    exifs: Map<String, Value>,
    gps: Option<()>,
    gps_ip: Option<()>,
    gps_exifs: Option<()>,
    gps_html: Option<()>,
    created_at: &'a str,
    updated_at: &'a str,
    taken_at: Option<()>,
    width: u32,
    height: u32,
    rotation: u32,
    crop_x: f64,
    crop_y: f64,
    crop_w: f64,
    crop_h: f64,
    metadatas: &'a Map<String, Value>,
    original_url: &'a str,
    original_width: u32,
    original_height: u32,
    external_urls: ExternalUrls<'a>,
    filename: &'a str,
    format: &'a str,
    title: Option<()>,
    description: Option<()>,
    page: u32,
    group_id: Option<&'a str>,
    color: Option<()>,
    size: u64,
    processed: bool,
    processing_error: Option<()>,
    album_id: &'a str,
    thumbnails: Thumbnails<'a>,
}

impl<'a> From<&'a Image> for ImageJson<'a> {
    fn from(i: &'a Image) -> Self {
        let u = &i.urls;
        ImageJson {
            id: &i.id,
            public_id: &i.id,
            infos: &i.infos,
            exifs: Map::new(),
            gps: None,
            gps_ip: None,
            gps_exifs: None,
            gps_html: None,
            created_at: &i.created_at,
            updated_at: &i.updated_at,
            taken_at: None,
            width: i.width,
            height: i.height,
            rotation: 0,
            crop_x: 0.0,
            crop_y: 0.0,
            crop_w: 0.0,
            crop_h: 0.0,
            metadatas: &i.metadatas,
            original_url: &u.original,
            original_width: i.width,
            original_height: i.height,
            external_urls: ExternalUrls {
                fill100: &u.fill100,
                fit2000: &u.fit2000,
                mini: &u.mini,
                large: &u.large,
                full: &u.full,
            },
            filename: &i.filename,
            format: &i.format,
            title: None,
            description: None,
            page: 1,
            group_id: i.group_id.as_deref(),
            color: None,
            size: i.size,
            processed: true,
            processing_error: None,
            album_id: &i.album_id,
            thumbnails: Thumbnails {
                original: &u.original,
                full_no_sharinpix: &u.full,
                full: &u.full,
                large: &u.large,
                mini: &u.mini,
            },
        }
    }
}

/// An album's `upload_form`: where and with what fields a file is posted.
#[derive(Serialize)]
struct UploadForm<'a> {
    url: &'a str,
    expires_at: u64,
    name: &'a str,
    id: String,
    params: UploadParams<'a>,
}

#[derive(Serialize)]
struct UploadParams<'a> {
    tags: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    timestamp: u64,
    api_key: &'a str,
    signature: &'a str,
}

/// The album object.
#[derive(Serialize)]
pub(super) struct AlbumJson<'a> {
    id: &'a str,
    public_id: &'a str,
    images_count: u64,
    views_count: u64,
    upload_form: Option<UploadForm<'a>>,
    organization_id: &'a str,
    thumbnails: Vec<ImageJson<'a>>,
}

impl<'a> From<&'a Album> for AlbumJson<'a> {
    fn from(a: &'a Album) -> Self {
        AlbumJson {
            id: &a.id,
            public_id: &a.id,
            images_count: a.images_count,
            views_count: 0,
            upload_form: a.upload_params.as_ref().map(|p| UploadForm {
                url: &a.upload_url,
                expires_at: p.timestamp + crate::sharinpix::FORM_LIFETIME,
                name: &a.id,
                id: format!("{}-{}", a.organization_id, a.id),
                params: UploadParams {
                    tags: &a.id,
                    kind: "authenticated",
                    timestamp: p.timestamp,
                    api_key: &p.api_key,
                    signature: &p.signature,
                },
            }),
            organization_id: &a.organization_id,
            thumbnails: a.thumbnails.iter().map(ImageJson::from).collect(),
        }
    }
}

/// The import object.
#[derive(Serialize)]
pub(super) struct ImportJson<'a> {
    id: &'a str,
    organization_id: &'a str,
    image_id: Option<&'a str>,
    import_type: Option<&'a str>,
    album_id: &'a str,
    params: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
}

impl<'a> From<&'a Import> for ImportJson<'a> {
    fn from(i: &'a Import) -> Self {
        ImportJson {
            id: &i.id,
            organization_id: &i.organization_id,
            image_id: i.image_id.as_deref(),
            import_type: i.import_type.as_deref(),
            album_id: &i.album_id,
            params: &i.params,
            error: i.error.as_deref(),
            created_at: &i.created_at,
            updated_at: &i.updated_at,
        }
    }
}

/// A request body as one JSON object: JSON as sent (an empty body is an
/// empty object), or a form with Rails's bracketed keys.
pub(super) fn body_object(content_type: Option<&str>, body: &[u8]) -> Result<Map<String, Value>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if form::media_type_is(content_type, "application/json") {
        return match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(Error::BadRequest("the JSON body must be an object".into())),
            Err(e) => Err(Error::BadRequest(format!("the JSON body is malformed: {e}"))),
        };
    }
    let text = std::str::from_utf8(body).map_err(|_| Error::BadRequest("the form is not UTF-8".into()))?;
    let mut map = Map::new();
    for (key, value) in form::pairs(text) {
        insert_form_pair(&mut map, &key, value)?;
    }
    Ok(map)
}

/// `a=v`, `a[]=v` (appended to an array) and `a[b]=v` (an object, one
/// level deep, which is all SharinPix's parameters use).
fn insert_form_pair(map: &mut Map<String, Value>, key: &str, value: String) -> Result<(), Error> {
    let bad = || Error::BadRequest(format!("form field '{key}' mixes kinds of value"));
    match key.split_once('[') {
        None => {
            map.insert(key.to_owned(), Value::String(value));
        }
        Some((name, "]")) => match map.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
            Value::Array(items) => items.push(Value::String(value)),
            _ => return Err(bad()),
        },
        Some((name, rest)) => {
            let inner = rest
                .strip_suffix(']')
                .filter(|k| !k.contains(['[', ']']))
                .ok_or_else(|| Error::BadRequest(format!("form field '{key}' nests too deep")))?;
            match map.entry(name).or_insert_with(|| Value::Object(Map::new())) {
                Value::Object(fields) => {
                    fields.insert(inner.to_owned(), Value::String(value));
                }
                _ => return Err(bad()),
            }
        }
    }
    Ok(())
}

/// A field that must be a string (or absent).
pub(super) fn string(map: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Error::BadRequest(format!("{name} must be a string"))),
    }
}

/// A field that must be a boolean (`true`/`"true"`/`"1"`; absent: false).
pub(super) fn flag(map: &Map<String, Value>, name: &str) -> Result<bool, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if matches!(s.as_str(), "true" | "1") => Ok(true),
        Some(Value::String(s)) if matches!(s.as_str(), "false" | "0" | "") => Ok(false),
        Some(_) => Err(Error::BadRequest(format!("{name} must be true or false"))),
    }
}

/// A field that must be an object (or absent).
pub(super) fn object(map: &Map<String, Value>, name: &str) -> Result<Map<String, Value>, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(Error::BadRequest(format!("{name} must be an object"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_read_as_rails_reads_them() {
        let map = body_object(
            Some("application/x-www-form-urlencoded"),
            b"album_id=a&metadata[attachmentId]=00P&ids[]=1&ids[]=2",
        )
        .expect("form");
        assert_eq!(map["album_id"], "a");
        assert_eq!(map["metadata"]["attachmentId"], "00P");
        assert_eq!(map["ids"], serde_json::json!(["1", "2"]));
        assert!(body_object(None, b"a=1&a[]=2").is_err());
        assert!(body_object(None, b"a[b][c]=1").is_err());
        assert!(body_object(Some("application/json"), b"[1]").is_err());
        assert!(body_object(Some("application/json"), b"{").is_err());
        assert!(body_object(Some("application/json"), b"  ").expect("empty").is_empty());
        let json = body_object(Some("application/json"), br#"{"tags":true,"n":3}"#).expect("json");
        assert!(flag(&json, "tags").expect("flag") && string(&json, "n").expect("n").as_deref() == Some("3"));
        assert!(string(&json, "tags").is_err() && object(&json, "n").is_err());
    }
}
