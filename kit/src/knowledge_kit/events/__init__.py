"""Events between services: transactional outbox, relay to Kafka, inbox-deduplicating consumers."""

from knowledge_kit.events.consumer import ConsumedEvent, EventConsumer, EventHandler
from knowledge_kit.events.envelope import new_envelope, new_envelopes, payload_type
from knowledge_kit.events.kafka import KafkaConnection, KafkaUnavailable, kafka_client_options
from knowledge_kit.events.outbox import Outbox
from knowledge_kit.events.producer import create_producer
from knowledge_kit.events.relay import OutboxRelay
from knowledge_kit.events.relaying import relaying_outbox
from knowledge_kit.events.tables import EVENTS_METADATA, inbox_events, outbox_events
from knowledge_kit.events.topic_tail import tail_consumer
from knowledge_kit.names import dead_letter_topic

__all__ = [
    "EVENTS_METADATA",
    "ConsumedEvent",
    "EventConsumer",
    "EventHandler",
    "KafkaConnection",
    "KafkaUnavailable",
    "Outbox",
    "OutboxRelay",
    "create_producer",
    "dead_letter_topic",
    "inbox_events",
    "kafka_client_options",
    "new_envelope",
    "new_envelopes",
    "outbox_events",
    "payload_type",
    "relaying_outbox",
    "tail_consumer",
]
