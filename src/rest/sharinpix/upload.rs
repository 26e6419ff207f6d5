//! The body of a post to an album's upload form, read into the facade's
//! `FormUpload`: a `multipart/form-data` form with the form's `params` as
//! fields and the file in a `file` part. The other fields Cloudinary's
//! signed uploads carry (`timestamp`, `tags`, `type`, …) are accepted and
//! not used; a repeated field or file is a 400.

use bytes::Bytes;

use crate::rest::form;
use crate::sharinpix::{Error, FormUpload, UploadedFile};
use crate::{cpu, multipart};

/// Bodies up to this size are split on the runtime; larger ones off it.
const INLINE_PARSE_BYTES: usize = 64 * 1024;

/// Reads an upload form's body.
pub(super) async fn read(content_type: Option<&str>, body: Bytes) -> Result<FormUpload, Error> {
    let content_type = content_type
        .filter(|t| form::media_type_is(Some(t), "multipart/form-data"))
        .ok_or_else(|| Error::BadRequest("the upload must be multipart/form-data".into()))?;
    let boundary = multipart::boundary(content_type).map_err(malformed)?;
    let parsed = if body.len() <= INLINE_PARSE_BYTES {
        multipart::parse(&body, &boundary)
    } else {
        cpu::offload(move || multipart::parse(&body, &boundary))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
    };
    let mut out = FormUpload::default();
    for part in parsed.map_err(malformed)? {
        let text = || String::from_utf8_lossy(&part.data).into_owned();
        let repeated = match part.name.as_str() {
            "file" => out
                .file
                .replace(UploadedFile {
                    filename: part.filename.clone(),
                    bytes: part.data.clone(),
                })
                .is_some(),
            "api_key" => out.api_key.replace(text()).is_some(),
            "signature" => out.signature.replace(text()).is_some(),
            "timestamp" => out.timestamp.replace(text()).is_some(),
            _ => false,
        };
        if repeated {
            return Err(Error::BadRequest(format!("the {} part is repeated", part.name)));
        }
    }
    Ok(out)
}

fn malformed(e: multipart::MultipartError) -> Error {
    Error::BadRequest(format!("malformed multipart/form-data body: {e}"))
}
