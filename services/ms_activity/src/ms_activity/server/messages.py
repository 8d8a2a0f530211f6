"""Between the service's values and knowledge.activity.v1's messages."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.activity.v1 import activity_pb2 as pb
from knowledge.common.v1.actor_pb2 import Actor
from knowledge_kit.errors import FieldViolation, ValidationError

from ..domain.buckets import Dimension, Interval
from ..domain.erasures import Erasure
from ..domain.names import activity_name
from ..domain.summary import summary
from ..store import Activity, Aggregate, Bucket, Count

INTERVALS = {
    pb.AGGREGATE_INTERVAL_UNSPECIFIED: Interval.DAY,
    pb.AGGREGATE_INTERVAL_HOUR: Interval.HOUR,
    pb.AGGREGATE_INTERVAL_DAY: Interval.DAY,
    pb.AGGREGATE_INTERVAL_WEEK: Interval.WEEK,
    pb.AGGREGATE_INTERVAL_MONTH: Interval.MONTH,
}
DIMENSIONS = {
    pb.AGGREGATE_DIMENSION_UNSPECIFIED: Dimension.NONE,
    pb.AGGREGATE_DIMENSION_VERB: Dimension.VERB,
    pb.AGGREGATE_DIMENSION_ACTOR: Dimension.ACTOR,
    pb.AGGREGATE_DIMENSION_SPACE: Dimension.SPACE,
    pb.AGGREGATE_DIMENSION_OBJECT: Dimension.OBJECT,
}


def interval_of(value: int) -> Interval:
    if value not in INTERVALS:
        raise ValidationError(
            f"interval {value} is not an AggregateInterval",
            [FieldViolation("interval", "must be HOUR, DAY, WEEK or MONTH")],
        )
    return INTERVALS[value]  # type: ignore[index]


def dimension_of(value: int) -> Dimension:
    if value not in DIMENSIONS:
        raise ValidationError(
            f"breakdown {value} is not an AggregateDimension",
            [FieldViolation("breakdown", "must be VERB, ACTOR, SPACE or OBJECT")],
        )
    return DIMENSIONS[value]  # type: ignore[index]


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def activity_message(activity: Activity) -> pb.Activity:
    return pb.Activity(
        name=activity_name(activity.id),
        event_type=activity.event_type,
        actor=Actor(name=activity.actor, display_name=activity.actor_display_name),
        subject=activity.subject,
        space=activity.space,
        source=activity.source,
        summary=summary(
            activity.verb,
            activity.actor,
            activity.actor_display_name,
            activity.subject,
            activity.properties,
        ),
        occur_time=timestamp(activity.occur_time),
        verb=activity.verb,
        properties=dict(activity.properties),
        record_time=timestamp(activity.record_time or activity.occur_time),
    )


def count_message(count: Count) -> pb.ActivityCount:
    return pb.ActivityCount(key=count.key, count=count.count, distinct_actors=count.distinct_actors)


def bucket_message(bucket: Bucket) -> pb.ActivityBucket:
    return pb.ActivityBucket(
        start_time=timestamp(bucket.start),
        end_time=timestamp(bucket.end),
        counts_by_event_type=dict(bucket.counts_by_event_type),
        distinct_actors=bucket.distinct_actors,
        total=bucket.total,
        breakdown=[count_message(count) for count in bucket.breakdown],
        other_count=bucket.other_count,
    )


def erasure_message(erasure: Erasure) -> pb.ErasureOperation:
    message = pb.ErasureOperation(
        name=erasure.name,
        user=erasure.user,
        state=int(erasure.state),  # type: ignore[arg-type]
        erased_count=erasure.erased_count,
        error=erasure.error,
        requested_by=Actor(
            name=erasure.requested_by, display_name=erasure.requested_by_display_name
        ),
        create_time=timestamp(erasure.create_time),
    )
    if erasure.end_time is not None:
        message.end_time.CopyFrom(timestamp(erasure.end_time))
    return message


def aggregate_fields(aggregate: Aggregate) -> dict[str, object]:
    """The AggregateActivitiesResponse fields of `aggregate` (the zone is added by the caller)."""
    return {
        "buckets": [bucket_message(bucket) for bucket in aggregate.buckets],
        "total": aggregate.total,
        "distinct_actors": aggregate.distinct_actors,
        "top_objects": [count_message(count) for count in aggregate.top_objects],
        "top_actors": [count_message(count) for count in aggregate.top_actors],
    }
