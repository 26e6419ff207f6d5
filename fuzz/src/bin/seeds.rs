//! Writes each target's starting corpus from the project's fixtures:
//! `seeds REPO_ROOT OUT_DIR` fills `OUT_DIR/<target>/`.
//!
//! - `soap`: every request under `fixtures/soap/` and `fixtures/story/`,
//!   with its `.request.http` headers (or the harness defaults) as a header
//!   block, in the shape `ips_emulator_fuzz::soap` reads;
//! - `xml`: the same bodies;
//! - `modifier`: every `urlModifier` in those requests, and every string
//!   literal in `tests/render.rs` and in the sources under
//!   `src/render/modifier/` and `src/render/plan/` that reads as one;
//! - `multipart`: upload forms shaped like the ones `tests/upload.rs` posts;
//! - `image`: the seed photograph rendered small into every output format,
//!   each with a modifier from a fixed list.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ips_emulator::render::{self, modifier, RenderConfig};

/// The headers the golden harness sends when a case has no `.request.http`.
const DEFAULT_HEADERS: &str = "Content-Type: text/xml; charset=utf-8\nSOAPAction: \"copyImage\"\n";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, root, out] = args.as_slice() else {
        eprintln!("usage: seeds REPO_ROOT OUT_DIR");
        std::process::exit(2);
    };
    for (target, count) in write_seeds(Path::new(root), Path::new(out)) {
        println!("{target}: {count} seeds");
    }
}

/// Writes every target's seeds under `out` from the fixtures under `root`;
/// says how many each target got. Panics on a file it cannot read or write
/// (the integration tests call this too, so a moved fixture shows there).
pub fn write_seeds(root: &Path, out: &Path) -> Vec<(&'static str, usize)> {
    let requests = requests(root);
    let mut modifiers: BTreeSet<String> = requests.iter().filter_map(|(_, body)| url_modifier(body)).collect();
    let mut sources = vec![root.join("tests/render.rs")];
    for dir in ["src/render/modifier", "src/render/plan"] {
        walk(&root.join(dir), &mut sources);
    }
    for file in sources.iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        modifiers.extend(literals(&text).into_iter().filter(|l| looks_like_modifier(l)));
    }
    let written = [
        ("soap", soap_seeds(&requests)),
        ("xml", requests.iter().map(|(_, body)| body.clone()).collect()),
        ("modifier", modifiers.into_iter().map(String::into_bytes).collect()),
        ("multipart", multipart_seeds()),
        ("image", image_seeds(root)),
    ];
    let mut counts = Vec::new();
    for (target, seeds) in written {
        let dir = out.join(target);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let unique: BTreeSet<Vec<u8>> = seeds.into_iter().collect();
        for (i, seed) in unique.iter().enumerate() {
            fs::write(dir.join(format!("seed-{i:04}")), seed).unwrap_or_else(|e| panic!("{target}: {e}"));
        }
        counts.push((target, unique.len()));
    }
    counts
}

/// Every fixture request: (headers, body), headers `\n`-separated.
fn requests(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in ["fixtures/soap", "fixtures/story"] {
        walk(&root.join(dir), &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for file in files.iter().filter(|f| f.to_string_lossy().ends_with(".request.xml")) {
        let body = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let http = file.with_file_name(file.file_name().map_or_else(String::new, |n| {
            n.to_string_lossy().replace(".request.xml", ".request.http")
        }));
        let headers = match fs::read_to_string(&http) {
            Ok(h) => h.replace("\r\n", "\n"),
            Err(_) => DEFAULT_HEADERS.to_owned(),
        };
        // A compressed body is the HTTP layer's business, not SOAP's.
        if headers.to_ascii_lowercase().contains("content-encoding") {
            continue;
        }
        out.push((headers, body));
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn soap_seeds(requests: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    requests
        .iter()
        .map(|(headers, body)| {
            // Header lines the target reads; comments other than #path and
            // blank lines would end the block early.
            let head: Vec<&str> = headers
                .lines()
                .filter(|l| !l.trim().is_empty() && (!l.starts_with('#') || l.starts_with("#path ")))
                .collect();
            let mut seed = head.join("\n").into_bytes();
            seed.extend_from_slice(b"\n\n");
            seed.extend_from_slice(body);
            seed
        })
        .collect()
}

/// The text of a request's `urlModifier` element, unescaped.
fn url_modifier(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let start = text.find("urlModifier>")? + "urlModifier>".len();
    let value = &text[start..];
    let value = &value[..value.find('<')?];
    Some(
        value
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// The plain (unescaped, one-line) string literals of a Rust source.
fn literals(code: &str) -> Vec<String> {
    code.split('"')
        .skip(1)
        .step_by(2)
        .filter(|l| !l.contains(['\\', '\n']))
        .map(str::to_owned)
        .collect()
}

/// `cmd=value[&…]` with a command name of letters, digits and `_`.
fn looks_like_modifier(s: &str) -> bool {
    let Some((command, _)) = s.split_once('=') else {
        return false;
    };
    !command.is_empty()
        && command.len() <= 24
        && command.starts_with(|c: char| c.is_ascii_alphabetic())
        && command.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.contains(char::is_whitespace)
}

const BOUNDARY: &str = "O9-ba7tieRtqA4QRSaVk-eDq6658SPrYfvUcJ";

const AUTH: &str = r#"<authHeader xmlns="http://www.scene7.com/IpsApi/xsd/2014-04-03"><user>ipsuser@ips.test</user><password>ips-emulator</password><locale>en-US</locale><appName>Fuzz</appName><appVersion>1.0</appVersion></authHeader>"#;

const UPLOAD_PARAMS: &str = r#"<uploadPostParam xmlns="http://www.scene7.com/IpsApi/xsd/2014-04-03"><companyHandle>c|6</companyHandle><jobName>fuzz</jobName><uploadParams><overwrite>true</overwrite><destFolder>ApiTestCo/</destFolder></uploadParams></uploadPostParam>"#;

/// A form as `tests/upload.rs` builds one: (name, filename, content).
fn form(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, data) in parts {
        let disposition = match filename {
            Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        let (ct, cte) = match filename {
            Some(_) => ("application/octet-stream; charset=ISO-8859-1", "binary"),
            None => ("text/plain; charset=US-ASCII", "8bit"),
        };
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {ct}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

fn multipart_seeds() -> Vec<Vec<u8>> {
    let file: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR--not-a-real-image";
    let forms = [
        (
            format!("multipart/form-data; boundary={BOUNDARY}"),
            form(
                BOUNDARY,
                &[
                    ("auth", None, AUTH.as_bytes()),
                    ("file_params", None, b"<x/>"),
                    ("uploadParams", None, UPLOAD_PARAMS.as_bytes()),
                    ("file1", Some("photo.png"), file),
                ],
            ),
        ),
        (
            format!("multipart/form-data; boundary=\"{BOUNDARY}\"; charset=utf-8"),
            form(BOUNDARY, &[("auth", None, AUTH.as_bytes())]),
        ),
        (
            "multipart/form-data; boundary=simple boundary".to_owned(),
            [
                b"preamble\r\n".as_slice(),
                &form("simple boundary", &[("a", None, b"x"), ("b", Some("f.bin"), b"")]),
            ]
            .concat(),
        ),
        (
            "multipart/form-data; boundary=b".to_owned(),
            b"--b\r\n\r\nno headers\r\n--b  \r\nContent-Disposition: form-data; name=n\r\n\r\n\r\n--b--  \r\n".to_vec(),
        ),
    ];
    forms
        .into_iter()
        .map(|(content_type, body)| [content_type.as_bytes(), b"\n", &body].concat())
        .collect()
}

/// The seed photograph in every output format, small, each behind a
/// modifier that exercises another part of the pipeline.
fn image_seeds(root: &Path) -> Vec<Vec<u8>> {
    let photo = fs::read(root.join("fixtures/seed/images/macbookwin1.jpg")).expect("the seed photograph");
    let formats = [
        "jpeg",
        "pjpeg",
        "jpeg,gray",
        "png",
        "png-alpha",
        "png8",
        "gif",
        "gif-alpha",
        "tif",
        "tif,,lzw",
        "webp",
        "webp-alpha,,lossless",
    ];
    let modifiers = [
        "wid=32",
        "wid=24&hei=24&fit=crop&fmt=png",
        "rotate=30&wid=32&fmt=png-alpha",
        "crop=4,4,20,20&flip=lr&fmt=gif",
        "wid=32&op_blur=2&op_usm=1,1,0,0",
        "extend=4,4,4,4&bgColor=0,0,255&wid=40&fmt=tif",
        "wid=32&fmt=webp&qlt=70",
        "op_colorize=a0b0c0&op_invert=1&op_noise=10",
        "wid=32&fmt=gif&quantize=adaptive,off,2,000000,ffffff",
        "wid=40&rect=8,8,16,16",
        "size=20,20&scl=1&op_sharpen=1&resMode=sharp2",
        "",
    ];
    let mut seeds = Vec::new();
    for (i, fmt) in formats.iter().enumerate() {
        let m = modifier::parse(&format!("wid=48&fmt={fmt}")).unwrap_or_else(|e| panic!("{fmt}: {e}"));
        let small = render::render(&photo, &m, &RenderConfig::default()).unwrap_or_else(|e| panic!("{fmt}: {e}"));
        let chosen = modifiers[i % modifiers.len()];
        seeds.push([chosen.as_bytes(), b"\n", &small.bytes].concat());
    }
    seeds
}
