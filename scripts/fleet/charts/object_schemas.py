"""Pinned schemas for every kind the charts render, with unknown fields rejected.

Kubernetes built-in kinds use the strict schemas kubernetes-validate ships for KUBERNETES_VERSION.
Istio and Strimzi kinds use the CRDs copied into platform-charts/schemas; their structural schemas
would let unknown fields through (the API server prunes them silently), so every object schema that
does not explicitly preserve unknown fields is closed here, and metadata is checked as ObjectMeta.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from fleet.charts.yaml_documents import yaml_documents
from fleet.errors import FleetError

KUBERNETES_VERSION = "1.34.0"
_K8S_SCHEMAS = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"
_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def object_schemas(crd_dir: Path) -> ObjectSchemas:
    """The schemas for these pinned CRD files; built once per process for the same file contents."""
    files = sorted(crd_dir.glob("*.yaml"))
    if not files:
        raise FleetError(f"no pinned CRD schemas in {crd_dir}")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return _object_schemas_for(digest.hexdigest(), tuple(files))


@functools.lru_cache(maxsize=4)
def _object_schemas_for(_digest: str, files: tuple[Path, ...]) -> ObjectSchemas:
    return ObjectSchemas(_load_crd_schemas(files))


class ObjectSchemas:
    """Finds the validator for an (apiVersion, kind); builds each one once."""

    def __init__(self, crds: dict[tuple[str, str], dict[str, Any]]) -> None:
        self._k8s_dir = resources.files("kubernetes_validate").joinpath(_K8S_SCHEMAS)
        definitions = json.loads(self._k8s_dir.joinpath("_definitions.json").read_text())
        self._definitions_id: str = definitions["$id"]
        self._registry: Registry[Any] = Registry().with_resource(
            self._definitions_id, Resource.from_contents(definitions)
        )
        self._crds = crds
        self._validators: dict[tuple[str, str], Draft202012Validator | None] = {}

    @property
    def custom_kinds(self) -> set[tuple[str, str]]:
        """(apiVersion, kind) of every custom resource the pinned CRDs define."""
        return set(self._crds)

    def validator(self, api_version: str, kind: str) -> Draft202012Validator | None:
        """The validator for this kind, or None when no pinned schema knows it."""
        key = (api_version, kind)
        if key not in self._validators:
            self._validators[key] = self._build(api_version, kind)
        return self._validators[key]

    def _build(self, api_version: str, kind: str) -> Draft202012Validator | None:
        crd_schema = self._crds.get((api_version, kind))
        if crd_schema is not None:
            schema = _closed(copy.deepcopy(crd_schema))
            schema["properties"]["apiVersion"] = {"const": api_version}
            schema["properties"]["kind"] = {"const": kind}
            schema["properties"]["metadata"] = {
                "$ref": f"{self._definitions_id}#/$defs/{_OBJECT_META}"
            }
            schema["required"] = sorted(
                {*schema.get("required", []), "apiVersion", "kind", "metadata"}
            )
            return Draft202012Validator(schema, registry=self._registry)
        group, _, version = api_version.rpartition("/")
        suffix = f"{group.split('.')[0]}-{version}" if group else version
        schema_file = self._k8s_dir.joinpath(f"{kind.lower()}-{suffix}.json")
        if not schema_file.is_file():
            return None
        return Draft202012Validator(json.loads(schema_file.read_text()), registry=self._registry)


def _load_crd_schemas(files: tuple[Path, ...]) -> dict[tuple[str, str], dict[str, Any]]:
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in files:
        for crd in yaml_documents(path.read_text(encoding="utf-8")):
            if crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                if version.get("served"):
                    api_version = f"{spec['group']}/{version['name']}"
                    schemas[(api_version, spec["names"]["kind"])] = version["schema"][
                        "openAPIV3Schema"
                    ]
    return schemas


def _closed(node: Any) -> Any:
    """Translate Kubernetes OpenAPI extensions to JSON Schema and close open objects."""
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _closed(value) for key, value in node.items()}
    if result.pop("x-kubernetes-int-or-string", False):
        result.pop("type", None)
        result.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if result.pop("nullable", False) and isinstance(result.get("type"), str):
        result["type"] = [result["type"], "null"]
    preserves = result.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in result and "additionalProperties" not in result and not preserves:
        result["additionalProperties"] = False
    return result
