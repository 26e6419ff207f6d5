//! One integration test binary; each module covers one area.

mod support;

/// Catalog and store consistency across failures, restarts and concurrency.
mod consistency;
/// The published WSDL/XSD, and fixtures validated against them.
mod contract;
/// The emulator controls under `/_emulator/`: reset and the request journal.
mod controls;
/// Faults armed through `/_emulator/faults`, for IPS and Kameleoon.
mod faults;
/// Inputs the fuzz targets once failed on, replayed without AFL.
mod fuzz_regressions;
/// Golden request/response pairs from `fixtures/soap/`.
mod golden;
/// Golden JSON exchanges of the REST facades, from `fixtures/rest/`.
mod golden_json;
/// The HTTP transport: limits, timeouts, codings, methods.
mod http;
/// Image fields, thumbnails, zoom targets and image maps, read back
/// through getAssets.
mod image_fields;
/// The job types against Adobe's WSDLs, field by field.
mod job_types;
/// Jobs over HTTP: upload by URL, publish, export, control, restarts.
mod jobs;
/// Kameleoon's Automation API: tokens, images, clones across the APIs.
mod kameleoon;
/// Peak memory of a server process for the worst requests it accepts.
mod memory;
/// Metadata: the bounds of a batch.
mod metadata;
/// The operations around copyImage: lookups and changes, and their races.
mod operations;
/// The outbound HTTP client: the allow list, redirects, caps, timeouts, TLS.
mod outbound;
/// Property sets: their life cycle, who reaches them, and the CDN
/// invalidation template found through them.
mod property_sets;
/// Publish state: marking assets, what getAssets reports, and serving only
/// published assets.
mod publish;
/// Rendering urlModifier commands, and /is/image.
mod render;
/// Replaying fixture suites against a server.
mod replay;
/// Image sets, asset sets, derived assets and what associates them.
mod sets;
/// SharinPix's API: the documents' duplicate requests, albums, imports,
/// refusals, and the copies seen through IPS and Image Serving.
mod sharinpix;
/// Load shedding: the bound on requests in flight, and each request's
/// deadline for waiting.
mod shedding;
/// Source-tree rules: module docs, layering, no unwrap on request paths.
mod tidy;
/// The HTTPS listener: every route over TLS, and handshakes that fail.
mod tls;
/// The trash: deleting, finding, restoring and emptying assets.
mod trash;
/// The upload servlet, POST /scene7/UploadFile.
mod upload;
/// Every API version's replies and requests against its schemas, and the
/// 2013-02-15 and 2014-04-03 contracts against Adobe's.
mod versions;
