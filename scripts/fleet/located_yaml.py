"""YAML loading that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fleet.errors import FleetError

Location = tuple[str | int, ...]


@dataclass
class LocatedDocument:
    """A parsed YAML document and the 1-based line of each key or list item in it."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int | None:
        """The line of `location`, or of its nearest parent that has one."""
        for cut in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:cut]))
            if line is not None:
                return line
        return None


def load_located_yaml(path: Path) -> LocatedDocument:
    """Parse `path`, rejecting duplicate keys and non-string keys with the offending line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FleetError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FleetError(f"{path}{where}: not valid YAML: {problem}") from None
    document = LocatedDocument(path=path, data=None)
    if node is not None:
        document.data = _convert(node, (), document)
    return document


def _convert(node: yaml.Node, location: Location, document: LocatedDocument) -> Any:
    document.lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise FleetError(f"{document.path}:{line}: keys must be strings, got {key!r}")
            if key in result:
                raise FleetError(f"{document.path}:{line}: duplicate key '{key}'")
            document.lines[(*location, key)] = line
            result[key] = _convert(value_node, (*location, key), document)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            document.lines[(*location, index)] = item.start_mark.line + 1
            items.append(_convert(item, (*location, index), document))
        return items
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    return yaml.SafeLoader(stream="").construct_object(node, deep=True)
