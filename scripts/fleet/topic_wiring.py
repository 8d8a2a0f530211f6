"""Cross-checks between repos.yaml and the registry's topic catalogue."""

from __future__ import annotations

from fleet.manifest import Manifest
from fleet.topics import TopicCatalogue


def topic_wiring_problems(manifest: Manifest, catalogue: TopicCatalogue) -> list[str]:
    """Every problem that would leave a producer or consumer pointing at nothing."""
    problems: list[str] = []
    services = {service.name: service for service in manifest.services}
    for service in manifest.services:
        for topic in service.topics.produces:
            declared = catalogue.topics.get(topic)
            if declared is None:
                problems.append(
                    f"{service.name} produces '{topic}', which topics.yaml does not declare"
                )
            elif declared.owner != service.name:
                problems.append(
                    f"{service.name} produces '{topic}', but topics.yaml says {declared.owner} owns it"
                )
        for topic in service.topics.consumes:
            if topic not in catalogue.topics:
                problems.append(
                    f"{service.name} consumes '{topic}', which topics.yaml does not declare"
                )
    for name, declared_topic in catalogue.topics.items():
        owner = services.get(declared_topic.owner)
        if owner is None:
            problems.append(
                f"topic '{name}' is owned by {declared_topic.owner}, which repos.yaml does not list"
            )
        elif name not in owner.topics.produces:
            problems.append(
                f"topic '{name}' is owned by {declared_topic.owner}, whose produces does not list it"
            )
    return problems
