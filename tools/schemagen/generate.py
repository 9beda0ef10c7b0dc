#!/usr/bin/env python3
"""Derive keyplan's endpoint schemas (schemas/endpoints/*.json) from OpenBao's OpenAPI document.

The OpenAPI document is the primary source; `schemas/overrides.json` is the hand-maintained
catalogue of endpoints keyplan knows plus every field the document lacks or types wrongly
(each with a `source` note). Output is deterministic: sorted keys, 2-space indent, trailing
newline.

Usage:
    python3 tools/schemagen/generate.py [OPENAPI_JSON] [--overrides FILE] [--out DIR] [--check]

--check writes nothing and exits 1 if any file on disk differs from what would be generated
(or a stale file is present).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OPENAPI = REPO_ROOT / ".." / "shared" / "reference" / "openbao-2.7.2-openapi.json"
DEFAULT_OVERRIDES = REPO_ROOT / "schemas" / "overrides.json"
DEFAULT_OUT = REPO_ROOT / "schemas" / "endpoints"

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://keyplan.dev/schemas/endpoints/"

KP_TYPES = ("string", "int", "bool", "duration", "list", "comma-list", "map", "any")
TARGETS = ("vault", "openbao")
WRITE_MODES = ("merge", "replace")

# JSON type keyplan emits for each keyplan type, unless an override states another `type`.
CANONICAL_JSON = {
    "string": {"type": "string"},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "duration": {"type": "integer"},
    "list": {"type": "array", "items": {"type": "string"}},
    "comma-list": {"type": "string"},
    "map": {"type": "object"},
}

# OpenAPI keys that carry over to the JSON Schema property as they are.
KEPT_KEYS = ("description", "default", "enum", "deprecated", "items")

# Override keys that are keyplan bookkeeping, not JSON Schema.
BOOKKEEPING = ("source", "use", "remove")


class SchemaError(Exception):
    pass


def load_json(path: Path):
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def request_schema(openapi: dict, api_path: str) -> tuple[str, dict]:
    """The request-body schema (name, object) of POST on an OpenAPI path."""
    paths = openapi.get("paths", {})
    if api_path not in paths:
        raise SchemaError(f"OpenAPI document has no path {api_path!r}")
    post = paths[api_path].get("post")
    if post is None:
        raise SchemaError(f"OpenAPI path {api_path!r} has no POST operation")
    body = (
        post.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema")
    )
    if body is None:
        raise SchemaError(f"POST {api_path!r} has no JSON request body")
    return resolve(openapi, body)


def resolve(openapi: dict, schema: dict) -> tuple[str, dict]:
    ref = schema.get("$ref")
    if ref is None:
        return "", schema
    name = ref.rsplit("/", 1)[-1]
    components = openapi.get("components", {}).get("schemas", {})
    if name not in components:
        raise SchemaError(f"unresolved $ref {ref!r}")
    return name, components[name]


def component(openapi: dict, name: str) -> dict:
    components = openapi.get("components", {}).get("schemas", {})
    if name not in components:
        raise SchemaError(f"OpenAPI document has no component schema {name!r}")
    return components[name]


def from_openapi(prop: dict) -> dict:
    """Translate one OpenAPI property into a keyplan JSON Schema property."""
    out = {k: copy.deepcopy(prop[k]) for k in KEPT_KEYS if k in prop}
    display = prop.get("x-vault-displayAttrs") or {}
    if display.get("sensitive"):
        out["x-keyplan-sensitive"] = True
    ty = prop.get("type")
    fmt = prop.get("format")
    if ty == "integer" and fmt == "seconds":
        out["type"] = "integer"
        out["x-keyplan-type"] = "duration"
    elif ty == "integer":
        out["type"] = "integer"
        out["x-keyplan-type"] = "int"
    elif ty == "boolean":
        out["type"] = "boolean"
        out["x-keyplan-type"] = "bool"
    elif ty == "string":
        out["type"] = "string"
        out["x-keyplan-type"] = "string"
        if fmt == "date-time":
            out["format"] = "date-time"
    elif ty == "array":
        out["type"] = "array"
        out["items"] = {"type": "string"}
        out["x-keyplan-type"] = "list"
    elif ty == "object":
        out["type"] = "object"
        out["x-keyplan-type"] = "map"
        if fmt == "kvpairs":
            out["additionalProperties"] = {"type": "string"}
    else:
        out["x-keyplan-type"] = "any"
    return out


def apply_override(base: dict | None, override: dict, shared: dict, where: str) -> dict:
    """Merge a hand-written property override onto an OpenAPI-derived property."""
    prop = copy.deepcopy(base) if base is not None else {}
    override = copy.deepcopy(override)
    use = override.get("use")
    if use is not None:
        if use not in shared:
            raise SchemaError(f"{where}: unknown shared definition {use!r}")
        merged = copy.deepcopy(shared[use])
        merged.update({k: v for k, v in override.items() if k != "use"})
        override = merged
    source = override.get("source")
    if not source:
        raise SchemaError(f"{where}: every override needs a `source` note")
    retyped = "x-keyplan-type" in override and override["x-keyplan-type"] != prop.get(
        "x-keyplan-type"
    )
    if retyped and "type" not in override:
        # The JSON type follows the keyplan type unless the override pins it.
        for key in ("type", "items", "additionalProperties", "format"):
            prop.pop(key, None)
    for key, value in override.items():
        if key in BOOKKEEPING:
            continue
        if value is None:
            prop.pop(key, None)
        else:
            prop[key] = value
    prop["x-keyplan-source"] = source
    nested = prop.get("properties")
    if nested is not None:
        prop["properties"] = {
            name: apply_override(None, sub, shared, f"{where}.{name}")
            for name, sub in nested.items()
        }
    return prop


def finish(prop: dict, where: str) -> dict:
    """Fill in what every property must carry and check the keyplan extensions."""
    kp = prop.get("x-keyplan-type")
    if kp not in KP_TYPES:
        raise SchemaError(f"{where}: x-keyplan-type {kp!r} is not one of {KP_TYPES}")
    if "type" not in prop and kp in CANONICAL_JSON:
        prop.update(copy.deepcopy(CANONICAL_JSON[kp]))
    if kp == "list" and prop.get("type") == "array" and "items" not in prop:
        prop["items"] = {"type": "string"}
    targets = prop.get("x-keyplan-targets")
    if targets is not None:
        if not targets or any(t not in TARGETS for t in targets):
            raise SchemaError(f"{where}: bad x-keyplan-targets {targets!r}")
        prop["x-keyplan-targets"] = sorted(targets, key=TARGETS.index)
    if prop.get("x-keyplan-sensitive") is False:
        del prop["x-keyplan-sensitive"]
    description = prop.get("description", "")
    prop["description"] = " ".join(description.split())
    nested = prop.get("properties")
    if nested is not None:
        prop["properties"] = {
            name: finish(copy.deepcopy(sub), f"{where}.{name}") for name, sub in nested.items()
        }
        prop.setdefault("additionalProperties", False)
        required = prop.get("required")
        if required:
            unknown = [r for r in required if r not in prop["properties"]]
            if unknown:
                raise SchemaError(f"{where}: required names unknown fields {unknown}")
            prop["required"] = sorted(required)
    return prop


def build(endpoint_id: str, spec: dict, openapi: dict, overrides: dict) -> dict:
    where = endpoint_id
    shared = overrides.get("shared", {})
    sensitive_names = set(overrides.get("sensitive", []))
    global_fields = overrides.get("global", {})

    for key in ("title", "path", "targets", "write", "source"):
        if key not in spec:
            raise SchemaError(f"{where}: endpoint entry lacks {key!r}")
    if spec["write"] not in WRITE_MODES:
        raise SchemaError(f"{where}: write must be one of {WRITE_MODES}")
    if not spec["targets"] or any(t not in TARGETS for t in spec["targets"]):
        raise SchemaError(f"{where}: bad targets {spec['targets']!r}")

    props: dict[str, dict] = {}
    api_path = spec.get("openapi")
    description = spec.get("description", "")
    if api_path:
        _, schema = request_schema(openapi, api_path)
        for name, prop in schema.get("properties", {}).items():
            props[name] = from_openapi(prop)
        if not description:
            post = openapi["paths"][api_path]["post"]
            description = post.get("summary") or post.get("description") or ""
    for include in spec.get("include", []):
        if not include.get("source"):
            raise SchemaError(f"{where}: include needs a `source` note")
        schema = component(openapi, include["schema"])
        for name in include["fields"]:
            if name not in schema.get("properties", {}):
                raise SchemaError(f"{where}: {include['schema']} has no field {name!r}")
            prop = from_openapi(schema["properties"][name])
            prop["x-keyplan-source"] = include["source"]
            props[name] = prop

    for name, override in global_fields.items():
        if name in props:
            props[name] = apply_override(props[name], override, shared, f"{where}.{name}")

    for name, override in spec.get("fields", {}).items():
        if override.get("remove"):
            if name not in props:
                raise SchemaError(f"{where}: cannot remove unknown field {name!r}")
            del props[name]
            continue
        props[name] = apply_override(props.get(name), override, shared, f"{where}.{name}")

    for name in props:
        if name in sensitive_names:
            props[name]["x-keyplan-sensitive"] = True
    props = {name: finish(prop, f"{where}.{name}") for name, prop in props.items()}

    required = sorted(spec.get("required", []))
    unknown = [r for r in required if r not in props]
    if unknown:
        raise SchemaError(f"{where}: required names unknown fields {unknown}")

    doc = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{ID_BASE}{endpoint_id}.json",
        "title": spec["title"],
        "description": " ".join(description.split()),
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "x-keyplan": {
            "path": spec["path"],
            "targets": sorted(spec["targets"], key=TARGETS.index),
            "write": spec["write"],
            "source": spec["source"],
        },
    }
    if required:
        doc["required"] = required
    return doc


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate(openapi_path: Path, overrides_path: Path) -> dict[str, str]:
    openapi = load_json(openapi_path)
    overrides = load_json(overrides_path)
    endpoints = overrides.get("endpoints", {})
    return {
        f"{endpoint_id}.json": render(build(endpoint_id, spec, openapi, overrides))
        for endpoint_id, spec in sorted(endpoints.items())
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("openapi", nargs="?", type=Path, default=DEFAULT_OPENAPI)
    parser.add_argument("--overrides", type=Path, default=DEFAULT_OVERRIDES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if files on disk are stale")
    args = parser.parse_args(argv)

    try:
        files = generate(args.openapi, args.overrides)
    except (OSError, json.JSONDecodeError, SchemaError) as err:
        print(f"schemagen: {err}", file=sys.stderr)
        return 2

    existing = {p.name for p in args.out.glob("*.json")} if args.out.is_dir() else set()
    if args.check:
        stale = []
        for name, text in files.items():
            path = args.out / name
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        stale.extend(sorted(existing - files.keys()))
        if stale:
            print(
                "schemagen: out of date: " + ", ".join(stale)
                + "\n  run: python3 tools/schemagen/generate.py",
                file=sys.stderr,
            )
            return 1
        print(f"schemagen: {len(files)} endpoint schemas up to date")
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    for name in sorted(existing - files.keys()):
        (args.out / name).unlink()
    for name, text in files.items():
        path = args.out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    print(f"schemagen: wrote {len(files)} endpoint schemas to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
