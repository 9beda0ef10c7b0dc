#!/usr/bin/env python3
"""Derive keyplan's endpoint schemas (schemas/endpoints/*.json) from both servers' OpenAPI documents.

The two documents (schemas/reference/: OpenBao 2.7.2 and Vault 1.15.0) are the primary
sources: each endpoint names its POST path in each, and which server has a field is derived
from which document lists it (`x-keyplan-targets`). `schemas/overrides.json` is the
hand-maintained catalogue of endpoints keyplan knows plus every field neither document
describes or types wrongly (each with a `source` note). It also writes docs/targets.md, the
table of the fields one server has and the other lacks. Output is deterministic: sorted keys,
2-space indent, trailing newline.

Usage:
    python3 tools/schemagen/generate.py [--openbao JSON] [--vault JSON] [--overrides FILE]
                                        [--out DIR] [--table FILE] [--check]

--check writes nothing and exits 1 if any file on disk differs from what would be generated
(or a stale file is present), including the table.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT / "schemas" / "reference"
DEFAULT_DOCUMENTS = {
    "openbao": REFERENCE / "openbao-2.7.2-openapi.json",
    "vault": REFERENCE / "vault-1.15.0-openapi.json",
}
DEFAULT_TABLE = REPO_ROOT / "docs" / "targets.md"
DEFAULT_OVERRIDES = REPO_ROOT / "schemas" / "overrides.json"
DEFAULT_OUT = REPO_ROOT / "schemas" / "endpoints"

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://keyplan.dev/schemas/endpoints/"

KP_TYPES = ("string", "int", "bool", "duration", "list", "comma-list", "map", "any")
TARGETS = ("vault", "openbao")
WRITE_MODES = ("merge", "replace")
DOC_NAMES = {"openbao": "OpenBao 2.7.2's document", "vault": "Vault 1.15.0's document"}

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
    if "requestBody" not in post:
        # An action such as database/rotate-root/NAME: a POST that takes no fields.
        return "", {"type": "object", "properties": {}}
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
    if (ty == "integer" and fmt == "seconds") or (ty == "string" and fmt == "duration"):
        # OpenBao writes TypeDurationSecond as integer/seconds, Vault as string/duration;
        # both servers parse integer seconds, which is what keyplan sends.
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
    ignored = prop.get("x-keyplan-ignored")
    if ignored is not None:
        # {target: evidence}: the server accepts the field and does nothing with it.
        if (
            not isinstance(ignored, dict)
            or not ignored
            or any(t not in TARGETS or not isinstance(n, str) or not n for t, n in ignored.items())
        ):
            raise SchemaError(f"{where}: x-keyplan-ignored must map targets to evidence notes")
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


def documented(endpoint_id: str, spec: dict, documents: dict) -> dict[str, dict]:
    """Per target, the request-body properties of the endpoint's POST in that server's document."""
    paths = spec.get("openapi")
    if paths is None:
        return {}
    if not isinstance(paths, dict):
        raise SchemaError(f"{endpoint_id}: `openapi` maps each target to its document's path")
    missing = [t for t in spec["targets"] if t not in paths]
    if missing:
        raise SchemaError(f"{endpoint_id}: `openapi` lacks the path for {missing}")
    out = {}
    for target, api_path in paths.items():
        if target not in spec["targets"]:
            raise SchemaError(f"{endpoint_id}: `openapi` names {target!r}, not a target")
        _, schema = request_schema(documents[target], api_path)
        out[target] = schema.get("properties", {})
    return out


def derived_targets(name: str, spec: dict, props: dict[str, dict]) -> list[str]:
    """The servers whose document lists the field (or whose document is known incomplete)."""
    incomplete = spec.get("incomplete", {})
    return [t for t in spec["targets"] if name in props.get(t, {}) or t in incomplete]


def build(endpoint_id: str, spec: dict, documents: dict, overrides: dict) -> tuple[dict, list]:
    """The endpoint's JSON Schema and the rows of its target differences."""
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
    for target, note in spec.get("incomplete", {}).items():
        if target not in spec["targets"] or not note:
            raise SchemaError(f"{where}: `incomplete` needs a target and a source note")

    by_target = documented(endpoint_id, spec, documents)
    props: dict[str, dict] = {}
    description = spec.get("description", "")
    # OpenBao's document first: its wording and types are what keyplan has always used.
    for target in TARGETS:
        for name, prop in by_target.get(target, {}).items():
            derived = from_openapi(prop)
            if name in props:
                if props[name]["x-keyplan-type"] != derived["x-keyplan-type"]:
                    override = spec.get("fields", {}).get(name, {})
                    if "x-keyplan-type" not in override:
                        raise SchemaError(
                            f"{where}.{name}: the documents disagree on the type "
                            f"({props[name]['x-keyplan-type']} vs {derived['x-keyplan-type']}); "
                            "settle it with an override"
                        )
                continue
            props[name] = derived
    if not description and by_target:
        target = next(t for t in TARGETS if t in by_target)
        post = documents[target]["paths"][spec["openapi"][target]]["post"]
        description = post.get("summary") or post.get("description") or ""
    documented_names = set(props)
    rows = []
    for name in sorted(documented_names):
        targets = derived_targets(name, spec, by_target)
        if not targets:
            raise SchemaError(f"{where}.{name}: no target has this field")
        if targets != spec["targets"]:
            props[name]["x-keyplan-targets"] = targets
            only = [t for t in TARGETS if name in by_target.get(t, {})]
            rows.append((name, targets, "in " + " and ".join(DOC_NAMES[t] for t in only) + " only"))

    for include in spec.get("include", []):
        if not include.get("source"):
            raise SchemaError(f"{where}: include needs a `source` note")
        schema = component(documents[include.get("document", "openbao")], include["schema"])
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
            # A removed field is no difference between the servers either.
            rows = [row for row in rows if row[0] != name]
            continue
        if name in documented_names and "x-keyplan-targets" in override:
            raise SchemaError(
                f"{where}.{name}: a documented field's targets come from the documents; "
                "drop the hand-made x-keyplan-targets (or mark the document `incomplete`)"
            )
        props[name] = apply_override(props.get(name), override, shared, f"{where}.{name}")
        marks = override.get("x-keyplan-targets")
        if marks is not None and sorted(marks, key=TARGETS.index) != spec["targets"]:
            rows.append((name, sorted(marks, key=TARGETS.index), "hand: " + override["source"]))

    plugins = spec.get("plugins", {})
    for plugin, entry in plugins.items():
        if not entry.get("source") or not entry.get("targets") or any(
            t not in spec["targets"] for t in entry["targets"]
        ):
            raise SchemaError(f"{where}: plugin {plugin!r} needs `targets` and a `source` note")
    for name, override in spec.get("fields", {}).items():
        owners = override.get("x-keyplan-plugins")
        if owners is None:
            continue
        unknown = [o for o in owners if o not in plugins]
        if not owners or unknown:
            raise SchemaError(f"{where}.{name}: x-keyplan-plugins names unknown plugins {unknown}")
        props[name]["x-keyplan-plugins"] = sorted(set(owners))
        if name in documented_names or "x-keyplan-targets" in override:
            continue
        # A field only plugins of one server have is that server's field.
        targets = [t for t in spec["targets"] if any(t in plugins[o]["targets"] for o in owners)]
        if targets != spec["targets"]:
            props[name]["x-keyplan-targets"] = targets
            rows.append((name, targets, "plugins " + ", ".join(sorted(owners)) + ": " + override["source"]))

    for name in props:
        if name in sensitive_names:
            props[name]["x-keyplan-sensitive"] = True
    props = {name: finish(prop, f"{where}.{name}") for name, prop in props.items()}

    required = sorted(spec.get("required", []))
    unknown = [r for r in required if r not in props]
    if unknown:
        raise SchemaError(f"{where}: required names unknown fields {unknown}")

    ext = {
        "path": spec["path"],
        "targets": sorted(spec["targets"], key=TARGETS.index),
        "write": spec["write"],
        "source": spec["source"],
    }
    if by_target:
        # Where each server's document describes this endpoint, for body validation.
        ext["openapi"] = {t: spec["openapi"][t] for t in TARGETS if t in by_target}
    if spec.get("plugins"):
        # Every plugin the endpoint knows and the servers that have it: a field's
        # `x-keyplan-plugins` names the plugins that read it (absent: every plugin).
        ext["plugins"] = {p: sorted(e["targets"], key=TARGETS.index) for p, e in spec["plugins"].items()}
    if spec.get("incomplete"):
        # Documents whose fields are taken from the other document too (see `incomplete`).
        ext["incomplete"] = sorted(spec["incomplete"], key=TARGETS.index)
    doc = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{ID_BASE}{endpoint_id}.json",
        "title": spec["title"],
        "description": " ".join(description.split()),
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "x-keyplan": ext,
    }
    if required:
        doc["required"] = required
    rows = [(endpoint_id, spec["path"], *row) for row in sorted(rows)]
    return doc, rows


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


TABLE_HEAD = """# Targets: what differs between HashiCorp Vault and OpenBao

<!-- Generated by tools/schemagen/generate.py from schemas/reference/*.json and
schemas/overrides.json; do not edit. `generate.py --check` (CI) fails when it is stale. -->

keyplan compiles for one server, `--target vault` (the default) or `--target openbao`. Each
endpoint's fields come from that server's own OpenAPI document
(`schemas/reference/vault-1.15.0-openapi.json`, `schemas/reference/openbao-2.7.2-openapi.json`),
so a field one server lacks is a located `kp::unsupported-on-target` error on that target.
Run without `--target`, every command that compiles a program (`check`, `build`, `explain`,
`access`, `diff`, `simulate`, `plan`, `apply`) picks the target a program's target-only fields
imply; `check` and `build` say so.

Whole endpoints only one server has: {endpoint_only}.

Fields only one server has, on the endpoints keyplan writes ({count} differences).
"Evidence" says where the difference comes from: a document, or a hand override in
`schemas/overrides.json` for what neither document says (with its source).

| endpoint | API path | field | vault | openbao | evidence |
|---|---|---|---|---|---|
"""

TABLE_TAIL = """
Documents keyplan treats as incomplete (their fields are taken from the other server's
document as well):

{incomplete}
"""


def render_table(rows: list, overrides: dict) -> str:
    endpoints = overrides.get("endpoints", {})
    only = [
        f"`{eid}` ({', '.join(spec['targets'])})"
        for eid, spec in sorted(endpoints.items())
        if spec["targets"] != list(TARGETS)
    ]
    lines = [
        TABLE_HEAD.replace("{endpoint_only}", ", ".join(only) or "none").replace(
            "{count}", str(len(rows))
        )
    ]
    for endpoint_id, path, field, targets, evidence in rows:
        marks = ["yes" if t in targets else "**no**" for t in TARGETS]
        evidence = " ".join(evidence.replace("|", "\\|").split())
        lines.append(f"| `{endpoint_id}` | `{path}` | `{field}` | {marks[0]} | {marks[1]} | {evidence} |\n")
    incomplete = [
        f"- `{eid}` on {target}: {' '.join(note.split())}"
        for eid, spec in sorted(endpoints.items())
        for target, note in sorted(spec.get("incomplete", {}).items())
    ]
    lines.append(TABLE_TAIL.replace("{incomplete}", "\n".join(incomplete) or "none"))
    return "".join(lines)


def generate(document_paths: dict[str, Path], overrides_path: Path) -> tuple[dict[str, str], str]:
    documents = {t: load_json(path) for t, path in document_paths.items()}
    overrides = load_json(overrides_path)
    endpoints = overrides.get("endpoints", {})
    files = {}
    rows = []
    for endpoint_id, spec in sorted(endpoints.items()):
        doc, found = build(endpoint_id, spec, documents, overrides)
        files[f"{endpoint_id}.json"] = render(doc)
        rows.extend(found)
    return files, render_table(rows, overrides)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--openbao", type=Path, default=DEFAULT_DOCUMENTS["openbao"])
    parser.add_argument("--vault", type=Path, default=DEFAULT_DOCUMENTS["vault"])
    parser.add_argument("--overrides", type=Path, default=DEFAULT_OVERRIDES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--check", action="store_true", help="fail if files on disk are stale")
    args = parser.parse_args(argv)

    try:
        files, table = generate({"openbao": args.openbao, "vault": args.vault}, args.overrides)
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
        if not args.table.is_file() or args.table.read_text(encoding="utf-8") != table:
            stale.append(str(args.table.name))
        if stale:
            print(
                "schemagen: out of date: " + ", ".join(stale)
                + "\n  run: python3 tools/schemagen/generate.py",
                file=sys.stderr,
            )
            return 1
        print(f"schemagen: {len(files)} endpoint schemas and the targets table up to date")
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    for name in sorted(existing - files.keys()):
        (args.out / name).unlink()
    for name, text in files.items():
        path = args.out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    args.table.parent.mkdir(parents=True, exist_ok=True)
    args.table.write_text(table, encoding="utf-8")
    print(f"schemagen: wrote {len(files)} endpoint schemas to {args.out} and {args.table}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
