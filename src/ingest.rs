//! New image files coming into the store, whichever API brings them (the
//! upload servlet, an `UploadUrlsJob`, Kameleoon's `POST /images/multiple`):
//! every file's header is probed first, within the CPU budget and under the
//! source image limits, so that a file that is not an acceptable image (or
//! a decompression bomb) is refused before anything is stored or any pixel
//! buffer exists; then the bytes are stored durably and pinned until the
//! rows naming them are recorded. Bytes whose rows were refused are released
//! again: removed once no row names them and no request has them pinned
//! (and start-up sweeps whatever a crash left in between).

use std::sync::Arc;

use bytes::Bytes;

use crate::app::AppState;
use crate::catalog::NewContent;
use crate::{cpu, deadline, render, store};

/// A file as an upload brings it (a form's file part, a fetched file).
#[derive(Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// The `filename` of its Content-Disposition.
    pub filename: Option<String>,
    /// Its bytes.
    pub bytes: Bytes,
}

impl std::fmt::Debug for UploadedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the content: a debug log line must not hold megabytes.
        f.debug_struct("UploadedFile")
            .field("filename", &self.filename)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Why files could not be taken in.
#[derive(Debug)]
pub(crate) enum Error {
    /// File `index` (from 0, in the order given) is not an acceptable image.
    NotAnImage {
        /// Which file.
        index: usize,
        /// What the probe found.
        error: render::Error,
    },
    /// The store failed; nothing of the request stays stored.
    Store(store::Error),
    /// Blocking work could not run (or waited past the request's patience).
    Task(cpu::Interrupted),
}

/// Files stored and pinned: what rows record of each, and the pins that
/// keep the bytes until those rows are written or refused.
#[derive(Debug)]
pub(crate) struct Stored {
    /// Per file, in order: its hash, size, format and pixel size.
    pub contents: Vec<NewContent>,
    /// The pins, to settle once the rows are written or refused.
    pub held: Held,
}

/// The pins of stored files whose rows are not written yet.
#[derive(Debug)]
pub(crate) struct Held {
    pins: Vec<store::Pin>,
    hashes: Vec<String>,
}

impl Held {
    /// Lets the pins go; the files are released unless a committed row now
    /// names them (`recorded`).
    pub(crate) async fn settle(self, state: &Arc<AppState>, recorded: bool) {
        // Unpinned first: a pinned file is never removed.
        drop(self.pins);
        if !recorded {
            release_all(state, self.hashes).await;
        }
    }
}

/// Probes every file's header within the CPU budget, under the source
/// image limits; the first file that is not an acceptable image refuses
/// them all.
pub(crate) async fn probe(state: &Arc<AppState>, files: &[UploadedFile]) -> Result<Vec<render::ImageInfo>, Error> {
    let limits = state.limits.render.image;
    let files = files.to_vec();
    state
        .cpu
        .run(move || {
            files
                .iter()
                .enumerate()
                .map(|(index, f)| render::probe(&f.bytes, limits).map_err(|error| Error::NotAnImage { index, error }))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(Error::Task)?
}

/// Stores and pins probed files (storing is I/O, not CPU: it leaves the
/// budget to renders and password checks). Should the store fail part-way,
/// what was stored is released before the error is returned.
pub(crate) async fn store(
    state: &Arc<AppState>,
    files: &[UploadedFile],
    infos: Vec<render::ImageInfo>,
) -> Result<Stored, Error> {
    let store = state.store.clone();
    let files = files.to_vec();
    let (stored, failed) = cpu::offload(move || {
        let mut stored = Vec::with_capacity(files.len());
        for (file, info) in files.iter().zip(infos) {
            let bytes = &file.bytes;
            // Pinned before `put`, so a concurrent release of identical
            // bytes cannot remove them before this request's row names them.
            let pin = store.pin(&store::content_hash(bytes));
            match store.put(bytes) {
                Ok(content_hash) => stored.push((
                    NewContent {
                        content_hash,
                        width: info.width,
                        height: info.height,
                        format: info.format.to_owned(),
                        byte_size: bytes.len() as u64,
                    },
                    pin,
                )),
                Err(e) => return (stored, Some(e)),
            }
        }
        (stored, None)
    })
    .await
    .map_err(Error::Task)?;
    let (contents, pins): (Vec<NewContent>, Vec<store::Pin>) = stored.into_iter().unzip();
    let held = Held {
        pins,
        hashes: contents.iter().map(|c| c.content_hash.clone()).collect(),
    };
    match failed {
        None => Ok(Stored { contents, held }),
        Some(e) => {
            held.settle(state, false).await;
            Err(Error::Store(e))
        }
    }
}

/// Removes a stored file once no asset names it (a deleted asset's, a
/// replaced image's old bytes, a rendering or upload whose row was
/// refused). The check and the removal run on the catalog worker, so no row
/// naming the file can commit in between; a file a request has pinned
/// stays. A failure is only logged: the file is garbage the next start-up
/// sweeps.
pub(crate) async fn release(state: &Arc<AppState>, hash: String) {
    let store = state.store.clone();
    // Never given up for want of patience: the file is already stored.
    let released = deadline::exempt(state.catalog.release_blob(hash, move |h| {
        if let Err(e) = store.remove_unpinned(h) {
            tracing::warn!(error = %e, "could not remove an unused stored file");
        }
    }))
    .await;
    if let Err(e) = released {
        tracing::warn!(error = %e, "could not release an unused stored file");
    }
}

/// [`release`]s each file.
pub(crate) async fn release_all(state: &Arc<AppState>, hashes: Vec<String>) {
    for hash in hashes {
        release(state, hash).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_debug_omits_the_bytes() {
        let f = UploadedFile {
            filename: Some("a.jpg".into()),
            bytes: Bytes::from_static(b"secret pixels"),
        };
        let text = format!("{f:?}");
        assert!(
            text.contains("a.jpg") && text.contains("13") && !text.contains("secret"),
            "{text}"
        );
    }
}
