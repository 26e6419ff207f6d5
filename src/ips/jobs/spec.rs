//! A submitted job kind's parameters, kept in the catalog as JSON: written
//! when the job is submitted, read back when it runs and when
//! `getActiveJobs`/`getScheduledJobs` echo it.
//!
//! The catalog keeps the text opaque; field names are resolved against the
//! contract's declaration of the kind on the way back, so a stored name
//! that the contract does not have is dropped rather than invented.

use serde_json::{Map, Value as Json};

use crate::ips::contract::{Field, Ty};
use crate::ips::value::{Record, Value};

/// The JSON text of `kind` (the submitJobParam element's name) and its
/// parameters.
pub fn encode(kind: &str, record: &Record) -> String {
    let mut top = Map::new();
    top.insert("kind".into(), Json::String(kind.to_owned()));
    top.insert("spec".into(), record_json(record));
    Json::Object(top).to_string()
}

fn record_json(record: &Record) -> Json {
    let mut map = Map::new();
    for (name, value) in record.entries() {
        if let Some(v) = value_json(value) {
            map.insert((*name).to_owned(), v);
        }
    }
    Json::Object(map)
}

fn value_json(value: &Value) -> Option<Json> {
    match value {
        Value::Text(t) => Some(Json::String(t.clone())),
        Value::Record(r) => Some(record_json(r)),
        Value::List(items) => Some(Json::Array(items.iter().filter_map(value_json).collect())),
        Value::Failure(..) => None,
    }
}

/// The kind's element name and parameters of a stored `text`, resolving
/// names against `kinds` (the submitJobParam kind fields); `None` if the
/// text is not one [`encode`] wrote for one of them.
pub fn decode(text: &str, kinds: &'static [Field]) -> Option<(&'static Field, Record)> {
    let Json::Object(top) = serde_json::from_str::<Json>(text).ok()? else {
        return None;
    };
    let kind = top.get("kind")?.as_str()?;
    let field = kinds.iter().find(|f| f.name == kind)?;
    let Some(Json::Object(spec)) = top.get("spec") else {
        return None;
    };
    Some((field, record_of(spec, field.ty.complex()?.fields)))
}

/// The fields come back in declaration order (JSON objects keep none).
fn record_of(map: &Map<String, Json>, fields: &'static [Field]) -> Record {
    let mut record = Record::new();
    for field in fields {
        if let Some(v) = map.get(field.name).and_then(|json| value_of(json, field.ty)) {
            record.push(field.name, v);
        }
    }
    record
}

fn value_of(json: &Json, ty: Ty) -> Option<Value> {
    match json {
        Json::String(s) => Some(Value::Text(s.clone())),
        Json::Object(map) => Some(Value::Record(record_of(map, ty.complex()?.fields))),
        Json::Array(items) => Some(Value::List(items.iter().filter_map(|j| value_of(j, ty)).collect())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ips::contract::prelude::*;

    static URL: Type = Type::new("U", &[req("sourceUrl", STRING), req("destPath", STRING)]);
    static URLS: Type = Type::new("UA", &[Field::many("items", Ty::Complex(&URL))]);
    static JOB: Type = Type::new("J", &[opt("urlArray", Ty::Complex(&URLS)), req("overwrite", BOOLEAN)]);
    static KINDS: &[Field] = &[opt("uploadUrlsJob", Ty::Complex(&JOB))];

    #[test]
    fn a_spec_reads_back_as_written() {
        let url = |s: &str| Value::Record(Record::new().with("sourceUrl", s).with("destPath", "A/x.jpg"));
        let record = Record::new()
            .with(
                "urlArray",
                Record::new().with("items", Value::List(vec![url("http://a/1"), url("http://a/2")])),
            )
            .with("overwrite", "true");
        let text = encode("uploadUrlsJob", &record);
        let (field, back) = decode(&text, KINDS).expect("decodes");
        assert_eq!(field.name, "uploadUrlsJob");
        assert_eq!(format!("{back:?}"), format!("{record:?}"));
        assert!(decode(&text.replace("uploadUrlsJob", "exportJob"), KINDS).is_none());
        assert!(decode("not json", KINDS).is_none());
    }
}
