//! The body of a post to an album's upload form, read into the facade's
//! `FormUpload`: a `multipart/form-data` form with the form's `params` as
//! fields and the file in a `file` part. The other fields Cloudinary's
//! signed uploads carry (`timestamp`, `tags`, `type`, …) are accepted and
//! not used; a repeated field or file is a 400.

use bytes::Bytes;

use crate::cpu;
use crate::rest::form::{self, PartsFailure};
use crate::sharinpix::{Error, FormUpload, UploadedFile};

/// Reads an upload form's body.
pub(super) async fn read(content_type: Option<&str>, body: Bytes) -> Result<FormUpload, Error> {
    let parts = form::multipart_parts(content_type, body).await.map_err(|f| match f {
        PartsFailure::NotMultipart => Error::BadRequest("the upload must be multipart/form-data".into()),
        PartsFailure::Malformed(why) => Error::BadRequest(format!("malformed multipart/form-data body: {why}")),
        PartsFailure::Interrupted(cpu::Interrupted::Busy(_)) => Error::Busy,
        PartsFailure::Interrupted(e) => Error::Internal(e.to_string()),
    })?;
    let mut out = FormUpload::default();
    for part in parts {
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
