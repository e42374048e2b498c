"""Is a new JSON Schema of an event a compatible successor of the published one?

Within one major version a consumer written against the old schema must read every new message:
so no property may disappear or change its type, and no new property may become required.
Adding an optional property is fine (consumers ignore what they do not know).
"""

from __future__ import annotations

from typing import Any


def breaking_changes(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_prop in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        old_type, new_type = _type_of(old_prop, old), _type_of(new_props[name], new)
        if old_type != new_type:
            problems.append(f"{where}: type changed from {old_type} to {new_type}")
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        problems.append(f"{path}{name}: newly required")
    return problems


def _type_of(prop: dict[str, Any], root: dict[str, Any]) -> str:
    """A comparable description of a property's type (resolving local $refs)."""
    if "$ref" in prop:
        ref = prop["$ref"].rsplit("/", 1)[-1]
        target = root.get("$defs", {}).get(ref, {})
        return _type_of(target, root) if target else f"ref:{ref}"
    if "anyOf" in prop:
        return "|".join(sorted(_type_of(p, root) for p in prop["anyOf"]))
    kind = str(prop.get("type", "any"))
    if "format" in prop:
        kind += f":{prop['format']}"
    if "enum" in prop:
        kind += ":enum"
    if kind == "array" and "items" in prop:
        kind += f"[{_type_of(prop['items'], root)}]"
    return kind
