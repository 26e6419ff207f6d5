//! `POST /images/multiple`'s body read into the facade's `Upload`: a
//! `multipart/form-data` form of file parts named `image-to-upload` and
//! one `arg0` part holding the JSON arguments (sent as a plain field or as
//! a file part, as clients send JSON parts). Anything else is a 400: a
//! body of another media type, a malformed form, a part of another name, a
//! missing or repeated `arg0`, or arguments that are not the documented
//! JSON object.

use bytes::Bytes;

use super::json;
use crate::kameleoon::{Error, Upload, UploadedFile};
use crate::rest::form::{self, PartsFailure};

/// The file parts' name.
const FILE_PART: &str = "image-to-upload";
/// The arguments' part name.
const ARGS_PART: &str = "arg0";
/// Reads an upload's body.
pub(super) async fn read(content_type: Option<&str>, body: Bytes) -> Result<Upload, Error> {
    let parts = form::multipart_parts(content_type, body).await.map_err(|f| match f {
        PartsFailure::NotMultipart => Error::BadRequest("the request body must be multipart/form-data".into()),
        PartsFailure::Malformed(why) => Error::BadRequest(format!("malformed multipart/form-data body: {why}")),
        PartsFailure::Interrupted(e) => e.into(),
    })?;
    let mut files = Vec::new();
    let mut args = None;
    for part in parts {
        match part.name.as_str() {
            FILE_PART => files.push(UploadedFile {
                filename: part.filename,
                bytes: part.data,
            }),
            ARGS_PART if args.is_none() => args = Some(part.data),
            ARGS_PART => return Err(Error::BadRequest(format!("the {ARGS_PART} part is repeated"))),
            other => {
                return Err(Error::BadRequest(format!(
                    "unknown part '{other}': the form has {FILE_PART} and {ARGS_PART} parts"
                )))
            }
        }
    }
    let args = args.ok_or_else(|| Error::BadRequest(format!("the {ARGS_PART} part is missing")))?;
    let args = json::upload_args(&args)?;
    Ok(Upload {
        files,
        site_ids: args.site_ids,
        name: args.name,
        alt_text: args.alt_text,
        description: args.description,
        tags: args.tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPE: &str = "multipart/form-data; boundary=b";

    fn body(parts: &[(&str, Option<&str>, &str)]) -> Bytes {
        let mut out = String::new();
        for (name, filename, data) in parts {
            let file = filename.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
            out.push_str(&format!(
                "--b\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{data}\r\n"
            ));
        }
        out.push_str("--b--\r\n");
        Bytes::from(out)
    }

    #[tokio::test]
    async fn forms_are_read_strictly() {
        let args = r#"{"siteIds":[1,3],"name":"hero","tags":["a"]}"#;
        let ok = body(&[("image-to-upload", Some("a.png"), "PNG"), ("arg0", None, args)]);
        let upload = read(Some(TYPE), ok.clone()).await.expect("read");
        assert_eq!(upload.site_ids, [1, 3]);
        assert_eq!(upload.name.as_deref(), Some("hero"));
        assert_eq!(upload.files.len(), 1);
        assert_eq!(upload.files[0].filename.as_deref(), Some("a.png"));
        assert_eq!(&upload.files[0].bytes[..], b"PNG");
        // arg0 sent as a file part (a JSON blob) reads the same.
        let blob = body(&[("arg0", Some("blob"), args), ("image-to-upload", Some("a.png"), "PNG")]);
        assert_eq!(read(Some(TYPE), blob).await.expect("blob").site_ids, [1, 3]);
        let refused = [
            (Some("application/json"), ok.clone()),
            (None, ok.clone()),
            (Some("multipart/form-data"), ok.clone()),
            (Some(TYPE), Bytes::from_static(b"--b\r\nnot a part")),
            (Some(TYPE), body(&[("image-to-upload", Some("a.png"), "PNG")])),
            (Some(TYPE), body(&[("arg0", None, args), ("arg0", None, args)])),
            (Some(TYPE), body(&[("arg0", None, args), ("other", None, "x")])),
            (Some(TYPE), body(&[("arg0", None, r#"{"siteIds":[1],"keywords":[]}"#)])),
            (Some(TYPE), body(&[("arg0", None, r#"{"name":"x"}"#)])),
            (Some(TYPE), body(&[("arg0", None, r#"{"siteIds":["1"]}"#)])),
            (Some(TYPE), body(&[("arg0", None, "{")])),
        ];
        for (content_type, body) in refused {
            let text = String::from_utf8_lossy(&body).into_owned();
            assert!(
                matches!(read(content_type, body).await, Err(Error::BadRequest(_))),
                "{content_type:?} {text}"
            );
        }
    }
}
