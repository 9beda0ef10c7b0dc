//! Turns one embedded JSON Schema document into an [`Endpoint`]: the run-time reading the
//! catalog used before `build.rs` made tables, kept in the tests as an independent second
//! reading that the tables must agree with.

use serde_json::{Map, Value};

use crate::{Endpoint, Field, FieldType, JsonType, SortedMap, Target, WriteMode};

pub(crate) fn document(id: &str, text: &str) -> Result<(Endpoint, Value), String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let endpoint = endpoint(id, &doc)?;
    Ok((endpoint, doc))
}

fn endpoint(id: &str, doc: &Value) -> Result<Endpoint, String> {
    let ext = doc
        .get("x-keyplan")
        .and_then(Value::as_object)
        .ok_or("missing `x-keyplan` object")?;
    let path = str_of(ext, "path")?.to_owned();
    let targets = targets(ext.get("targets")).ok_or("`x-keyplan.targets` must list targets")?;
    let write = match str_of(ext, "write")? {
        "merge" => WriteMode::Merge,
        "replace" => WriteMode::Replace,
        other => return Err(format!("unknown write mode `{other}`")),
    };
    let source = str_of(ext, "source")?.to_owned();
    let top = doc.as_object().ok_or("document is not an object")?;
    let mut plugins: Vec<&str> = ext
        .get("plugins")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    kp_sort::unstable(&mut plugins);
    let fields = fields(top, &targets, &plugins)?;
    Ok(Endpoint {
        id: id.to_owned(),
        path,
        title: str_of(top, "title")?.to_owned(),
        targets,
        write,
        fields,
        description: text_of(top, "description"),
        source,
    })
}

/// The `properties` of an object schema, typed.
fn fields(
    object: &Map<String, Value>,
    inherited: &[Target],
    plugins: &[&str],
) -> Result<SortedMap<String, Field>, String> {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = object.get("properties") else {
        return Ok(SortedMap::new());
    };
    let properties = properties
        .as_object()
        .ok_or("`properties` is not an object")?;
    // Inserted one by one: collecting into a map would compile one more copy of the
    // standard sort into the playground's wasm (see kp-sort).
    let mut fields = SortedMap::new();
    for (name, schema) in properties {
        let field = field(
            name,
            schema,
            required.contains(&name.as_str()),
            inherited,
            plugins,
        )
        .map_err(|e| format!("property `{name}`: {e}"))?;
        fields.insert(name.clone(), field);
    }
    Ok(fields)
}

fn field(
    name: &str,
    schema: &Value,
    required: bool,
    inherited: &[Target],
    plugins: &[&str],
) -> Result<Field, String> {
    let schema = schema.as_object().ok_or("not an object")?;
    let keyword = str_of(schema, "x-keyplan-type")?;
    let ty = FieldType::from_keyword(keyword)
        .ok_or_else(|| format!("unknown x-keyplan-type `{keyword}`"))?;
    let targets = match schema.get("x-keyplan-targets") {
        None => inherited.to_vec(),
        some => targets(some).ok_or("bad `x-keyplan-targets`")?,
    };
    let allowed = schema
        .get("enum")
        // A list's enumeration is its items' (`jwt_supported_algs`).
        .or_else(|| schema.get("items").and_then(|items| items.get("enum")))
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let flag = |key: &str| schema.get(key).and_then(Value::as_bool).unwrap_or(false);
    Ok(Field {
        name: name.to_owned(),
        ty,
        description: text_of(schema, "description"),
        required,
        sensitive: flag("x-keyplan-sensitive"),
        default: schema.get("default").cloned(),
        allowed,
        json_type: json_type(schema.get("type"))?,
        deprecated: flag("deprecated"),
        plugins: schema
            .get("x-keyplan-plugins")
            .and_then(Value::as_array)
            .map_or(0, |owners| {
                owners
                    .iter()
                    .filter_map(|o| plugins.iter().position(|p| Some(*p) == o.as_str()))
                    .fold(0, |bits, at| bits | 1 << at)
            }),
        fields: fields(schema, &targets, plugins)?,
        source: schema
            .get("x-keyplan-source")
            .and_then(Value::as_str)
            .map(str::to_owned),
        ignored: ignored(schema.get("x-keyplan-ignored"))?,
        targets,
    })
}

fn json_type(ty: Option<&Value>) -> Result<JsonType, String> {
    Ok(match ty.and_then(Value::as_str) {
        None => JsonType::Any,
        Some("string") => JsonType::String,
        Some("integer") => JsonType::Integer,
        Some("boolean") => JsonType::Boolean,
        Some("array") => JsonType::Array,
        Some("object") => JsonType::Object,
        Some(other) => return Err(format!("unsupported JSON type `{other}`")),
    })
}

fn targets(value: Option<&Value>) -> Option<Vec<Target>> {
    let list = value?.as_array()?;
    let targets: Option<Vec<Target>> = list
        .iter()
        .map(|t| t.as_str().and_then(Target::from_keyword))
        .collect();
    targets.filter(|t| !t.is_empty())
}

fn ignored(value: Option<&Value>) -> Result<SortedMap<Target, String>, String> {
    let Some(value) = value else {
        return Ok(SortedMap::new());
    };
    let bad = || "`x-keyplan-ignored` must map targets to evidence notes".to_owned();
    // Inserted one by one, as in `fields`.
    let mut ignored = SortedMap::new();
    for (target, note) in value.as_object().ok_or_else(bad)? {
        let target = Target::from_keyword(target).ok_or_else(bad)?;
        let note = note.as_str().ok_or_else(bad)?;
        ignored.insert(target, note.to_owned());
    }
    Ok(ignored)
}

fn str_of<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string `{key}`"))
}

fn text_of(object: &Map<String, Value>, key: &str) -> String {
    object
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_tables_hold_what_the_documents_say() {
    let mut ids = Vec::new();
    for (id, text) in crate::documents::DOCUMENTS {
        let (read, schema) = document(id, text).unwrap_or_else(|e| panic!("{id}: {e}"));
        let built = crate::endpoint(id).unwrap_or_else(|| panic!("{id} is not in the tables"));
        assert_eq!(format!("{built:#?}"), format!("{read:#?}"), "{id}");
        assert_eq!(crate::json_schema(id), Some(&schema), "{id}");
        ids.push(*id);
    }
    assert_eq!(crate::ids().collect::<Vec<_>>(), ids);
}
