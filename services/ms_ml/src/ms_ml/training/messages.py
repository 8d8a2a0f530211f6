"""Training jobs and their log entries as the contract's messages."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.ml.v1 import training_job_pb2 as pb
from knowledge.ml.v1 import training_service_pb2 as api

from .jobs import LogEntry, TrainingJob


def _time(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def job_message(job: TrainingJob) -> pb.TrainingJob:
    return pb.TrainingJob(
        name=job.name,
        state=int(job.state),  # type: ignore[arg-type]
        dataset_uri=job.dataset_uri,
        hyperparameters=job.hyperparameters,
        model_version=job.model_version,
        error_message=job.error_message,
        create_time=_time(job.create_time),
        start_time=_time(job.start_time),
        end_time=_time(job.end_time),
        recipe=job.recipe,
        metrics=job.metrics,
        creator=job.creator,
        limits=pb.TrainingJobLimits(
            timeout_seconds=job.limits.timeout_seconds, memory_bytes=job.limits.memory_bytes
        ),
        update_time=_time(job.update_time),
    )


def entry_message(entry: LogEntry) -> pb.TrainingLogEntry:
    message = pb.TrainingLogEntry(sequence=entry.sequence, time=_time(entry.time))
    if entry.line is not None:
        message.log_line = entry.line
    else:
        message.metric_point.CopyFrom(
            pb.TrainingMetricPoint(metric=entry.metric, step=entry.step, value=entry.value)
        )
    return message


def stream_message(item: LogEntry | TrainingJob) -> api.StreamTrainingJobLogsResponse:
    if isinstance(item, TrainingJob):
        return api.StreamTrainingJobLogsResponse(training_job=job_message(item))
    return api.StreamTrainingJobLogsResponse(entry=entry_message(item))
