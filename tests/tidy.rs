//! Source-tree rules that code review would otherwise have to remember.

use std::path::{Path, PathBuf};

use crate::support;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (file relative to src/, text before any `#[cfg(test)]`)
fn production_code() -> Vec<(String, String)> {
    let src = support::root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_owned();
            (
                p.strip_prefix(&src).expect("under src").to_string_lossy().into_owned(),
                code,
            )
        })
        .collect()
}

#[test]
fn every_module_starts_with_a_doc_comment() {
    for (file, code) in production_code() {
        assert!(code.starts_with("//!"), "src/{file} must start with a //! module doc");
    }
}

#[test]
fn no_unwrap_outside_tests() {
    for (file, code) in production_code() {
        assert!(!code.contains(".unwrap()"), "src/{file} calls .unwrap() outside tests");
    }
}

#[test]
fn layers_keep_their_crates_to_themselves() {
    let rules: &[(&str, &str)] = &[
        ("rusqlite", "catalog/"),
        ("quick_xml", "soap/"),
        ("hyper", "http/"),
        ("image::", "render/"),
    ];
    for (file, code) in production_code() {
        for (needle, home) in rules {
            let uses = code.lines().any(|l| {
                let l = l.trim_start();
                !l.starts_with("//")
                    && (l.contains(&format!("use {needle}"))
                        || l.contains(&format!("{needle}::"))
                        || l.contains(&format!(" {needle}::")))
            });
            assert!(
                !uses || file.starts_with(home),
                "src/{file} uses {needle}, which belongs to src/{home}"
            );
        }
    }
}
