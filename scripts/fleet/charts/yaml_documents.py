"""Fast YAML reading for the large inputs of the check (CRDs, rendered manifests)."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml parses the 850 KB Istio CRD file an order of magnitude faster than pure Python.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_documents(text: str) -> list[Any]:
    """Every non-empty document in a multi-document YAML text."""
    return [document for document in yaml.load_all(text, Loader=_LOADER) if document]
