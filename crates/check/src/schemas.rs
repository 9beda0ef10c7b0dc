//! Access to the endpoint schemas, and the few synthetic fields keyplan adds itself
//! (mount attributes are typed here, not by `sys-auth`/`sys-mounts`, because keyplan
//! writes them flat while the API nests the TTLs under `config`).

use kp_schema::{Endpoint, Field, FieldType, JsonType, SortedMap, Target};

pub fn endpoint(id: &str) -> Option<&'static Endpoint> {
    kp_schema::endpoint(id)
}

/// Whether the endpoint exists on the target. An endpoint without a schema is assumed
/// to exist: the missing schema is keyplan's bug, not the user's.
pub fn supports(id: &str, target: Target) -> bool {
    endpoint(id).is_none_or(|e| e.supports(target))
}

/// Whether the endpoint has the field on the target.
pub fn field_supported(id: &str, field: &str, target: Target) -> bool {
    endpoint(id)
        .and_then(|e| e.field(field))
        .is_some_and(|f| f.supports(target))
}

pub fn synthetic(name: &str, ty: FieldType, allowed: &[&str]) -> Field {
    let json_type = match ty {
        FieldType::String | FieldType::CommaList => JsonType::String,
        FieldType::Int | FieldType::Duration => JsonType::Integer,
        FieldType::Bool => JsonType::Boolean,
        FieldType::List => JsonType::Array,
        FieldType::Map => JsonType::Object,
        FieldType::Any => JsonType::Any,
    };
    Field {
        name: name.to_string(),
        ty,
        description: String::new(),
        required: false,
        sensitive: false,
        default: None,
        allowed: allowed.iter().map(|s| s.to_string()).collect(),
        json_type,
        deprecated: false,
        plugins: 0,
        targets: Target::ALL.to_vec(),
        source: None,
        ignored: SortedMap::new(),
        fields: SortedMap::new(),
    }
}
