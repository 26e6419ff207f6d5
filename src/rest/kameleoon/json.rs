//! Kameleoon's JSON: the `Image` object and the token reply written, the
//! clone's body of overrides and an upload's `arg0` arguments read.

use serde::{Deserialize, Serialize};

use crate::kameleoon::{Error, Image, Overrides, Token};

/// `Image`, as the OpenAPI names its fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ImageJson<'a> {
    id: i64,
    name: &'a str,
    file_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    width: u32,
    height: u32,
    size: u64,
    file_weight: u64,
    date: &'a str,
    site_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by_id: Option<i64>,
    path: &'a str,
    source: &'a str,
    source_url: &'a str,
    shared: bool,
    tags: &'a [String],
    keywords: &'a [String],
    alt_text: &'a str,
    description: &'a str,
}

impl<'a> From<&'a Image> for ImageJson<'a> {
    fn from(i: &'a Image) -> Self {
        ImageJson {
            id: i.id,
            name: &i.name,
            file_name: &i.file_name,
            format: i.format.map(|f| f.as_str()),
            width: i.width,
            height: i.height,
            size: i.size,
            file_weight: i.file_weight,
            date: &i.date,
            site_id: i.site_id,
            created_by_id: i.created_by_id,
            path: &i.path,
            source: &i.source,
            source_url: &i.source_url,
            shared: i.shared,
            tags: &i.tags,
            keywords: &i.keywords,
            alt_text: &i.alt_text,
            description: &i.description,
        }
    }
}

/// The token endpoint's reply.
#[derive(Serialize)]
pub(super) struct TokenJson<'a> {
    access_token: &'a str,
    expires_in: u64,
    token_type: &'static str,
}

impl<'a> From<&'a Token> for TokenJson<'a> {
    fn from(t: &'a Token) -> Self {
        TokenJson {
            access_token: &t.access_token,
            expires_in: t.expires_in,
            token_type: "Bearer",
        }
    }
}

/// The clone's body: an object of the writable `Image` fields it changes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CloneBody {
    name: Option<String>,
    site_id: Option<i64>,
    alt_text: Option<String>,
    description: Option<String>,
    tags: Option<Vec<String>>,
    keywords: Option<Vec<String>>,
}

/// Reads a clone's body: empty (or white space) is no change; otherwise a
/// JSON object of known fields of the right types (400 if not).
pub(super) fn overrides(body: &[u8]) -> Result<Overrides, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Overrides::default());
    }
    let b: CloneBody = serde_json::from_slice(body)
        .map_err(|e| Error::BadRequest(format!("the request body is not a valid clone request: {e}")))?;
    Ok(Overrides {
        name: b.name,
        site_id: b.site_id,
        alt_text: b.alt_text,
        description: b.description,
        tags: b.tags,
        keywords: b.keywords,
    })
}

/// `POST /images/multiple`'s `arg0` part.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct UploadArgs {
    pub site_ids: Vec<i64>,
    pub alt_text: Option<String>,
    pub description: Option<String>,
    pub name: Option<String>,
    pub tags: Option<Vec<String>>,
}

/// Reads an upload's arguments: a JSON object with `siteIds` and only the
/// documented fields, of the right types (400 if not).
pub(super) fn upload_args(body: &[u8]) -> Result<UploadArgs, Error> {
    serde_json::from_slice(body)
        .map_err(|e| Error::BadRequest(format!("the arg0 part is not valid upload arguments: {e}")))
}

/// The token endpoint's fields sent as JSON instead of a form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TokenBody {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_bodies() {
        assert_eq!(overrides(b"").expect("empty"), Overrides::default());
        assert_eq!(overrides(b" \n").expect("blank"), Overrides::default());
        let o = overrides(br#"{"name":"hero","siteId":2,"tags":["a"]}"#).expect("parsed");
        assert_eq!((o.name.as_deref(), o.site_id), (Some("hero"), Some(2)));
        for bad in [
            &br#"{"nme":"x"}"#[..],
            br#"{"name":1}"#,
            br#"[]"#,
            br#"{"name":"a","name":"b"}"#,
            br#"{"siteId":"1"}"#,
            b"{",
        ] {
            assert!(
                matches!(overrides(bad), Err(Error::BadRequest(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
