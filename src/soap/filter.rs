//! `responseFieldArray` and `excludeFieldArray`: which parts of a reply the
//! caller wants. Both hold `/`-separated paths relative to the return
//! element (`assetArray/items/name`). Naming an element keeps (or drops) it
//! with everything inside; naming something deeper keeps the elements on
//! the way to it, with only the named parts inside them.

use super::writer::{Content, Node};
use super::Error;
use crate::ips::value::{Record, Value};

/// Most paths `responseFieldArray` or `excludeFieldArray` may hold, and the
/// longest path: each is matched against every element of the reply.
const MAX_FIELD_PATHS: usize = 100;
const MAX_FIELD_PATH_BYTES: usize = 255;

/// The paths a request asked to include and to exclude.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldFilter {
    include: Vec<String>,
    exclude: Vec<String>,
}

/// Whether `path` is `prefix` or lies inside it.
fn within(path: &str, prefix: &str) -> bool {
    path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

impl FieldFilter {
    /// A filter from the two arrays as sent (surrounding slashes and blank
    /// entries are ignored).
    pub fn new(include: Vec<String>, exclude: Vec<String>) -> Self {
        let clean = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|p| p.trim().trim_matches('/').to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        };
        FieldFilter {
            include: clean(include),
            exclude: clean(exclude),
        }
    }

    /// Takes `responseFieldArray` and `excludeFieldArray` out of a decoded
    /// request (they are about the reply, not the operation).
    pub fn take(params: &mut Record) -> Result<Self, Error> {
        let mut paths = |name: &str| -> Result<Vec<String>, Error> {
            let paths = match params.take(name) {
                Some(Value::Record(array)) => match array.get("items") {
                    Some(Value::List(items)) => items.iter().filter_map(|v| v.as_text().map(str::to_owned)).collect(),
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            if paths.len() > MAX_FIELD_PATHS || paths.iter().any(|p| p.len() > MAX_FIELD_PATH_BYTES) {
                return Err(Error::InvalidValue(format!(
                    "'{name}' may hold at most {MAX_FIELD_PATHS} paths of at most {MAX_FIELD_PATH_BYTES} bytes"
                )));
            }
            Ok(paths)
        };
        let include = paths("responseFieldArray")?;
        let exclude = paths("excludeFieldArray")?;
        Ok(FieldFilter::new(include, exclude))
    }

    /// The return element with only the fields asked for.
    pub fn apply(&self, root: Node) -> Node {
        if self.include.is_empty() && self.exclude.is_empty() {
            return root;
        }
        let Node { name, content } = root;
        match content {
            Content::Children(children) => Node::parent(name, self.children(children, "")),
            text => Node { name, content: text },
        }
    }

    fn children(&self, children: Vec<Node>, parent: &str) -> Vec<Node> {
        keep(&self.include, &self.exclude, children, parent)
    }
}

/// The children (at `parent`'s path) that `include` and `exclude` let
/// through, each filtered in turn.
fn keep(include: &[String], exclude: &[String], children: Vec<Node>, parent: &str) -> Vec<Node> {
    children
        .into_iter()
        .filter_map(|child| {
            let path = if parent.is_empty() {
                child.name.to_string()
            } else {
                format!("{parent}/{}", child.name)
            };
            if exclude.iter().any(|e| within(&path, e)) {
                return None;
            }
            let named = include.is_empty() || include.iter().any(|i| within(&path, i));
            let on_the_way = include.iter().any(|i| within(i, &path));
            if !named && !on_the_way {
                return None;
            }
            Some(match child.content {
                // Everything inside a named element stays, unless excluded.
                Content::Children(grand) if named && exclude.is_empty() => Node::parent(child.name, grand),
                Content::Children(grand) => {
                    let inner = if named {
                        keep(&[], exclude, grand, &path)
                    } else {
                        keep(include, exclude, grand, &path)
                    };
                    Node::parent(child.name, inner)
                }
                text => Node {
                    name: child.name,
                    content: text,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> Node {
        let item = |name: &str| {
            Node::parent(
                "items",
                vec![
                    Node::text("assetHandle", format!("a|{name}")),
                    Node::text("name", name.to_owned()),
                    Node::parent("imageInfo", vec![Node::text("width", "10"), Node::text("height", "20")]),
                ],
            )
        };
        Node::parent(
            "getAssetsReturn",
            vec![Node::parent("assetArray", vec![item("x"), item("y")])],
        )
    }

    fn names(node: &Node) -> Vec<String> {
        let mut out = vec![node.name.to_string()];
        if let Content::Children(c) = &node.content {
            for child in c {
                out.extend(names(child).into_iter().map(|n| format!("{}/{n}", node.name)));
            }
        }
        out
    }

    #[test]
    fn no_filter_keeps_everything() {
        assert_eq!(FieldFilter::default().apply(reply()), reply());
    }

    #[test]
    fn include_keeps_the_path_and_what_is_inside() {
        let f = FieldFilter::new(
            vec!["assetArray/items/name".into(), "/assetArray/items/imageInfo/".into()],
            vec![],
        );
        let kept = names(&f.apply(reply()));
        assert!(kept.contains(&"getAssetsReturn/assetArray/items/name".to_owned()));
        assert!(kept.contains(&"getAssetsReturn/assetArray/items/imageInfo/width".to_owned()));
        assert!(!kept.iter().any(|n| n.ends_with("assetHandle")));
    }

    #[test]
    fn exclude_drops_the_subtree_even_inside_an_included_one() {
        let f = FieldFilter::new(
            vec!["assetArray".into()],
            vec!["assetArray/items/imageInfo/height".into()],
        );
        let kept = names(&f.apply(reply()));
        assert!(kept.iter().any(|n| n.ends_with("imageInfo/width")));
        assert!(!kept.iter().any(|n| n.ends_with("height")));
        assert!(kept.iter().any(|n| n.ends_with("assetHandle")));
        let f = FieldFilter::new(vec![], vec!["assetArray/items/imageInfo".into()]);
        assert!(!names(&f.apply(reply())).iter().any(|n| n.contains("imageInfo")));
    }

    #[test]
    fn names_match_whole_segments() {
        let f = FieldFilter::new(vec!["assetArray/items/name".into()], vec![]);
        let kept = names(&f.apply(reply()));
        // `name` does not select `nameX`-like siblings, nor does `asset`
        // select `assetArray`.
        assert!(!kept.iter().any(|n| n.ends_with("assetHandle")));
        let f = FieldFilter::new(vec!["asset".into()], vec![]);
        assert_eq!(names(&f.apply(reply())), ["getAssetsReturn"]);
    }
}
