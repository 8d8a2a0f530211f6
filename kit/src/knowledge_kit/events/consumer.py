"""The consumer runner: apply each event once (inbox), retry a few times, then dead-letter it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import CommitFailedError, IllegalStateError
from aiokafka.structs import ConsumerRecord, TopicPartition
from google.protobuf.message import DecodeError, Message
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import Topic
from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database.availability import database_unreachable
from knowledge_kit.database.held_connection import HeldConnection
from knowledge_kit.database.staged_inserts import write_staged
from knowledge_kit.events.dead_letter import send_to_dead_letter
from knowledge_kit.events.inbox import claim_event, claim_events
from knowledge_kit.events.kafka import KafkaConnection, kafka_client_options, start_client
from knowledge_kit.events.producer import create_producer
from knowledge_kit.names import check_service_name, dead_letter_topic
from knowledge_kit.observability.tracing import parent_to_record, tracer

_log = structlog.get_logger("knowledge_kit.consumer")
_UNTRACED = contextlib.nullcontext()  # a record of a trace not sampled: no span at all


class _HandlerFailed(Exception):
    """A handler failed while a batch was applied together (`index`: its record; None: the rows
    the handlers staged were refused, no one record's): roll the batch back."""

    def __init__(self, index: int | None, error: Exception) -> None:
        super().__init__(index)
        self.index = index
        self.error = error


@dataclass(frozen=True)
class ConsumedEvent:
    """An event being applied: its unpacked payload, its envelope, and the open session."""

    payload: Any
    envelope: event_envelope_pb2.EventEnvelope
    session: AsyncSession


EventHandler = Callable[[ConsumedEvent], Awaitable[None]]
Prepared = tuple[event_envelope_pb2.EventEnvelope, Message, EventHandler]
"""A record ready to apply: its envelope, unpacked payload and handler."""


class EventConsumer:
    """Consumes `topics` as group `service` (or `group_id`); `handlers` map payload message
    classes to coroutines. Each handler runs in one transaction with the inbox insert; an event
    type without a handler is acknowledged and skipped."""

    def __init__(
        self,
        *,
        service: str,
        bootstrap: KafkaConnection | str,
        topics: Sequence[Topic | str],
        sessions: async_sessionmaker[AsyncSession],
        handlers: Mapping[type[Message], EventHandler],
        group_id: str | None = None,
        max_attempts: int = 3,
        retry_backoff_seconds: float = 0.2,
        dead_letter: str | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self.group_id = group_id or check_service_name(service)
        self.dead_letter_topic = dead_letter or dead_letter_topic(service)
        self._topics = [topic if isinstance(topic, str) else topic.name for topic in topics]
        self._handlers = {
            cls.DESCRIPTOR.full_name: (cls, handler) for cls, handler in handlers.items()
        }
        self._sessions = sessions
        # While `run` runs, batches are applied on a connection of their own (see HeldConnection).
        self._held: HeldConnection | None = None
        self._max_attempts = max_attempts
        self._backoff = retry_backoff_seconds
        self._consumer = AIOKafkaConsumer(
            *self._topics,
            **kafka_client_options(bootstrap),
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self._producer: AIOKafkaProducer = create_producer(
            bootstrap, client_id=f"{self.group_id}-dlq"
        )
        self._kafka = bootstrap
        # Once, not per record (a provider installed later is still followed).
        self._tracer = tracer()
        # Records finished (applied, skipped or dead-lettered) and committed by this runner.
        self.records_handled = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, committing each record's offset once it is handled."""
        try:
            await start_client(self._consumer, self._kafka)
            await start_client(self._producer, self._kafka)
        except BaseException:
            await self._consumer.stop()
            await self._producer.stop()
            raise
        held = self._held = HeldConnection(self._sessions)
        try:
            await held.take()
            while not stop.is_set():
                await self._handle_batches(await self._consumer.getmany(timeout_ms=200))
        finally:
            self._held = None
            await held.release()
            await self._consumer.stop()
            await self._producer.stop()

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction, committed when the block ends; on the runner's own
        connection while it runs, which is given back after a failure (it may be broken)."""
        held = self._held
        session = self._sessions() if held is None else await held.session()
        try:
            async with session, session.begin():
                yield session
                await write_staged(session)
        except BaseException:
            if held is not None:
                await held.release()
            raise

    async def _handle_batches(self, batches: Mapping[TopicPartition, list[ConsumerRecord]]) -> None:
        """Apply what one poll returned, every partition's records in one transaction (each
        partition's in its order), then commit their offsets at once.

        Not a transaction and an offset commit per partition: each round trip waits for the
        event loop's turn, which a busy service's own tasks make long (with 16 use cases
        committing in the same process, a poll of three partitions took 0.1-0.45 s to apply
        and commit, most of it waiting). Not an offset commit per record either: a round trip
        to the group coordinator each time cost more than applying the event. A crash before
        the commit delivers these records again, and the inbox turns away the ones applied.
        """
        batches = {partition: records for partition, records in batches.items() if records}
        if not batches:
            return
        await self._apply_together([record for records in batches.values() for record in records])
        if not await self._commit(batches):
            self._read_again(
                {partition: records[0].offset for partition, records in batches.items()}
            )
            return
        self.records_handled += sum(len(records) for records in batches.values())

    async def _commit(self, batches: Mapping[TopicPartition, list[ConsumerRecord]]) -> bool:
        """Commit the offsets after each partition's last record; False when the group
        rebalanced under the batch."""
        try:
            await self._consumer.commit(
                {partition: records[-1].offset + 1 for partition, records in batches.items()}
            )
        except (CommitFailedError, IllegalStateError) as rebalanced:
            _log.warning(
                "offset_commit_refused_after_rebalance",
                offsets={
                    f"{partition.topic}/{partition.partition}": records[-1].offset
                    for partition, records in batches.items()
                },
                error=type(rebalanced).__name__,
            )
            return False
        return True

    def _read_again(self, resume: Mapping[TopicPartition, int]) -> None:
        """Read a batch again whose offsets the group refused after a rebalance.

        A member left or joined (or the broker restarted): the group waits for this member to
        rejoin, which it does on its next poll. A partition now another member's is read by
        that one from the last committed offset; one still this member's goes back to the
        batch's first record, so that its offset gets committed. Either way the inbox turns
        away what this one applied.
        """
        for partition, offset in resume.items():
            with contextlib.suppress(IllegalStateError):  # no longer this member's
                self._consumer.seek(partition, offset)

    async def _apply_together(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply records in order (of each partition: those of different partitions are
        independent), in one transaction with their inbox rows (a transaction per event cost
        more than the event). When a handler fails, that transaction
        is rolled back: the records before the failing one are applied together again, its
        later attempts go the per-record way (then the dead-letter topic), and the rest follow.
        The inbox claim is one statement for the whole batch, and the rows handlers stage
        (`knowledge_kit.database.stage_insert`) one per table: when those are refused, each
        record is applied alone (with its attempts), which finds the one at fault."""
        ready = []
        for record in records:
            prepared = self._prepared(record)
            if isinstance(prepared, str):
                await self._dead_letter(record, prepared)
            elif prepared is not None:
                ready.append((record, prepared))
        while ready:
            failure = await self._try_together(ready)
            if failure is None:
                return
            failed, error = failure
            if failed is None:
                for record, prepared in ready:
                    with self._span(record):
                        await self._apply_with_retries(record, *prepared)
                return
            first_attempt = 2
            if failed > 0 and await self._try_together(ready[:failed]) is not None:
                # What succeeded a moment ago failed now, or rows the records before staged
                # were refused when this handler ran a statement (its error, not its fault):
                # one by one, each with its attempts, this record's own not yet counted.
                for record, prepared in ready[:failed]:
                    with self._span(record):
                        await self._apply_with_retries(record, *prepared)
                first_attempt = 1
            record, prepared = ready[failed]
            if first_attempt == 2:
                await self._after_failure(record, prepared[0], 1, error)
            if self._max_attempts >= first_attempt:
                with self._span(record):
                    await self._apply_with_retries(record, *prepared, first_attempt=first_attempt)
            ready = ready[failed + 1 :]

    async def _try_together(
        self, ready: Sequence[tuple[ConsumerRecord, Prepared]]
    ) -> tuple[int | None, Exception] | None:
        """Apply `ready` in one transaction; the index of the record whose handler failed (None:
        the rows the handlers staged were refused) and its error (the transaction then rolled
        back), None when all committed."""
        try:
            async with self._transaction() as session:
                claimed = await claim_events(
                    session,
                    self.group_id,
                    [(prepared[0].id, record.topic) for record, prepared in ready],
                )
                for index, (record, (envelope, payload, handler)) in enumerate(ready):
                    if envelope.id not in claimed:
                        continue  # applied before (a redelivery), or twice in this batch
                    claimed.discard(envelope.id)
                    try:
                        with self._span(record):
                            await handler(ConsumedEvent(payload, envelope, session))
                    except Exception as error:
                        if database_unreachable(error):
                            raise
                        raise _HandlerFailed(index, error) from error
                try:
                    await write_staged(session)
                except Exception as error:
                    if database_unreachable(error):
                        raise
                    raise _HandlerFailed(None, error) from error
        except _HandlerFailed as failed:
            return failed.index, failed.error
        return None

    async def handle_record(self, record: ConsumerRecord) -> None:
        """Apply one record: once, with retries, or park it in the dead-letter topic."""
        prepared = self._prepared(record)
        if isinstance(prepared, str):
            await self._dead_letter(record, prepared)
            return
        if prepared is None:
            return
        with self._span(record):
            await self._apply_with_retries(record, *prepared)

    def _prepared(self, record: ConsumerRecord) -> Prepared | str | None:
        """The record's envelope, payload and handler; None when there is nothing to apply (no
        handler for its payload's type), or why it cannot be read (to dead-letter it with).

        The payload is parsed as its handler's message type, which its type URL names (what
        `Any.Unpack` checks, without looking the payload and its type name up twice)."""
        try:
            envelope = event_envelope_pb2.EventEnvelope.FromString(record.value or b"")
        except DecodeError:
            return "value is not a knowledge.common.v1.EventEnvelope"
        packed = envelope.payload
        type_url = packed.type_url
        registered = self._handlers.get(type_url[type_url.rfind("/") + 1 :])
        if registered is None:
            return None
        message_class, handler = registered
        if not envelope.id:
            return f"envelope of a {message_class.DESCRIPTOR.full_name} has no id"
        try:
            payload = message_class.FromString(packed.value)
        except DecodeError as error:
            return f"payload is not a valid {message_class.DESCRIPTOR.full_name}: {error}"
        return envelope, payload, handler

    def _span(self, record: ConsumerRecord) -> Any:
        """The record's consumer span, current while it is applied, in the trace its headers
        carry: sampled as an RPC's is (`parent_to_record`), so a record of a trace not sampled
        costs no span, and its headers are read only when they carry one."""
        headers = record.headers or ()
        carrier: dict[str, str] = {}
        for key, _ in headers:
            if key == "traceparent":
                carrier = {name: value.decode(errors="replace") for name, value in headers}
                break
        parent = parent_to_record(carrier.get("traceparent"), carrier)
        if parent is None:
            return _UNTRACED
        return trace.use_span(
            self._tracer.start_span(
                f"{record.topic} process",
                context=parent,
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": record.topic,
                },
            ),
            end_on_exit=True,
        )

    async def _apply(
        self,
        session: AsyncSession,
        topic: str,
        envelope: event_envelope_pb2.EventEnvelope,
        payload: Message,
        handler: EventHandler,
    ) -> None:
        """The event's inbox row, then its handler, unless the inbox has it already."""
        if await claim_event(session, self.group_id, envelope.id, topic):
            await handler(ConsumedEvent(payload, envelope, session))

    async def _apply_with_retries(
        self,
        record: ConsumerRecord,
        envelope: event_envelope_pb2.EventEnvelope,
        payload: Message,
        handler: EventHandler,
        *,
        first_attempt: int = 1,
    ) -> None:
        for attempt in range(first_attempt, self._max_attempts + 1):
            try:
                async with self._transaction() as session:
                    await self._apply(session, record.topic, envelope, payload, handler)
                return
            except Exception as error:
                if database_unreachable(error):
                    # Not the event's fault: parking it would lose a good event. Stop without
                    # committing its offset, so it is redelivered once the database is back.
                    raise
                await self._after_failure(record, envelope, attempt, error)

    async def _after_failure(
        self,
        record: ConsumerRecord,
        envelope: event_envelope_pb2.EventEnvelope,
        attempt: int,
        error: Exception,
    ) -> None:
        """Log the failed attempt; dead-letter after the last one, else back off."""
        _log.warning(
            "event_handler_failed",
            event_id=envelope.id,
            event_type=envelope.type,
            attempt=attempt,
            error=type(error).__name__,
        )
        if attempt == self._max_attempts:
            await self._dead_letter(
                record, f"{type(error).__name__} after {attempt} attempts: {error}"
            )
        else:
            await asyncio.sleep(self._backoff * 2 ** (attempt - 1))

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        _log.error("event_dead_lettered", topic=record.topic, offset=record.offset, reason=reason)
        await send_to_dead_letter(self._producer, self.dead_letter_topic, record, reason)
