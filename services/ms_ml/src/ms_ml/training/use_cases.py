"""What callers of TrainingService may do: queue a job (checked in full before it is queued),
read and list jobs, cancel one, and follow its log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from knowledge_kit.aio import first_set
from knowledge_kit.api import PageTokens, checked_resource_id
from knowledge_kit.api.pages import Page
from knowledge_kit.errors import (
    AlreadyExistsError,
    DomainError,
    FieldViolation,
    NotFoundError,
    ValidationError,
)
from sqlalchemy import select

from ..recipes.catalogue import RECIPES, recipe_named
from ..recipes.params import ParamError, read_params
from ..repository.tables import models
from .book import JobBook
from .config import TrainingConfig
from .jobs import MODEL, TRAINING_JOB, JobLimits, JobState, LogEntry, TrainingJob
from .supervisor import Supervisor

MODEL_ANY = "models/-"
MIN_MEMORY_BYTES = 256 * 1024**2
STREAM_BATCH = 500
MAX_PATH_CHARS = 4096
# Polls a cancel waits for another instance to stop a job it runs.
REMOTE_CANCEL_WAITS = 30


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field} {message}", [FieldViolation(field, message)])


@dataclass(frozen=True, slots=True)
class JobRequest:
    """A CreateTrainingJob request's training_job, as read off the wire."""

    recipe: str
    dataset_uri: str
    hyperparameters: dict[str, str]
    timeout_seconds: int
    memory_bytes: int


class TrainingUseCases:
    def __init__(
        self, book: JobBook, supervisor: Supervisor, config: TrainingConfig, pages: PageTokens
    ) -> None:
        self._book = book
        self._supervisor = supervisor
        self._config = config
        self._pages = pages

    async def create(
        self, parent: str, request: JobRequest, job_id: str, creator: str
    ) -> TrainingJob:
        model = _model_name(parent, "parent")
        recipe = recipe_named(request.recipe)
        if not request.recipe:
            raise _invalid("training_job.recipe", "is required")
        if recipe is None:
            raise _invalid(
                "training_job.recipe",
                f"{request.recipe[:64]!r} is not a recipe (recipes: {', '.join(RECIPES)})",
            )
        try:
            read_params(recipe.params, request.hyperparameters)
        except ParamError as error:
            field = f'training_job.hyperparameters["{error.name[:64]}"]'
            raise _invalid(field, error.problem) from None
        self._check_dataset(request.dataset_uri)
        limits = self._limits(request)
        job_id = checked_resource_id(job_id, "training_job_id")
        async with self._book.work() as work:
            found = await work.session.scalar(select(models.c.name).where(models.c.name == model))
        if found is None:
            raise NotFoundError(f"{model} does not exist")
        now = self._book.clock()
        job = TrainingJob(
            name=f"{model}/trainingJobs/{job_id}",
            model=model,
            recipe=recipe.name,
            state=JobState.QUEUED,
            dataset_uri=request.dataset_uri,
            hyperparameters=dict(request.hyperparameters),
            limits=limits,
            creator=creator,
            create_time=now,
            update_time=now,
        )
        if not await self._book.add(job):
            raise AlreadyExistsError(f"{job.name} already exists")
        return job

    def _check_dataset(self, uri: str) -> None:
        if not uri:
            return
        field = "training_job.dataset_uri"
        if "://" in uri and not uri.startswith("file://"):
            raise _invalid(field, "must be a directory on the service's file system (file://)")
        try:
            readable = len(uri) <= MAX_PATH_CHARS and Path(uri.removeprefix("file://")).is_dir()
        except (OSError, ValueError):  # a name too long for the file system, say
            readable = False
        if not readable:
            raise _invalid(field, f"{uri[:200]!r} is not a directory the service can read")

    def _limits(self, request: JobRequest) -> JobLimits:
        config = self._config
        timeout = request.timeout_seconds or config.default_timeout_seconds
        if request.timeout_seconds < 0 or timeout > config.max_timeout_seconds:
            raise _invalid(
                "training_job.limits.timeout_seconds",
                f"must be from 1 to {config.max_timeout_seconds} (0: {config.default_timeout_seconds})",
            )
        memory = request.memory_bytes or config.default_memory_bytes
        if request.memory_bytes < 0 or not MIN_MEMORY_BYTES <= memory <= config.max_memory_bytes:
            raise _invalid(
                "training_job.limits.memory_bytes",
                f"must be from {MIN_MEMORY_BYTES} to {config.max_memory_bytes} "
                f"(0: {config.default_memory_bytes})",
            )
        return JobLimits(timeout, memory)

    async def get(self, name: str, field: str = "name") -> TrainingJob:
        TRAINING_JOB.parse(name, field)
        job = await self._book.get(name)
        if job is None:
            raise NotFoundError(f"{name} does not exist")
        return job

    async def list(
        self, parent: str, state: int, page_size: int, page_token: str
    ) -> Page[TrainingJob]:
        model = None if parent == MODEL_ANY else _model_name(parent, "parent")
        if state and state not in {int(s) for s in JobState}:
            raise _invalid("state", f"{state} is not a training job state")
        request = self._pages.request(page_size, page_token, listing=(parent, str(state)))
        async with self._book.work() as work:
            rows = await work.jobs.listing(
                model,
                JobState(state) if state else None,
                request.offset,
                request.fetch_limit,
            )
        return request.page_at_offset(rows)

    async def cancel(self, name: str) -> TrainingJob:
        """Cancels a queued job at once; stops a running one's process first. FAILED_PRECONDITION
        once it has ended."""
        job = await self.get(name)
        waits = 0
        while True:
            if job.state.ended:
                raise DomainError(f"{name} has already ended ({job.state.name})")
            if job.state == JobState.QUEUED:
                moved = await self._book.move(name, [JobState.QUEUED], JobState.CANCELLED)
                if moved is not None:
                    return moved
            elif self._supervisor.running_here(name):
                await self._supervisor.cancel_here(name)
                job = await self.get(name)
                if job.state != JobState.CANCELLED:
                    raise DomainError(f"{name} ended {job.state.name} before it could be cancelled")
                return job
            else:  # running on another instance: it obeys within a poll
                if waits == REMOTE_CANCEL_WAITS:
                    raise DomainError(
                        f"{name} runs on {job.host or 'another instance'}, which has not stopped "
                        "it yet; it stops it when it next looks, or the job fails when that "
                        "instance starts again"
                    )
                if not waits:
                    await self._book.update(name, [JobState.RUNNING], cancel_requested=True)
                waits += 1
                changed = self._book.signals.changed(name)  # after our own update's wake-up
                await first_set(changed, seconds=self._config.poll_seconds)
            job = await self.get(name)
            if job.state == JobState.CANCELLED:
                return job

    async def follow(self, name: str, after_sequence: int) -> AsyncIterator[LogEntry | TrainingJob]:
        """The job as it is, its entries after `after_sequence`, then each new entry and each
        change of state as they come, until it has ended and everything was sent."""
        if after_sequence < 0:
            raise _invalid("after_sequence", "must not be negative")
        job = await self.get(name)
        yield job
        last = after_sequence
        shown = job.state
        while True:
            changed = self._book.signals.changed(name)
            async with self._book.work() as work:
                entries = await work.jobs.entries_after(name, last, STREAM_BATCH)
                job_now = await work.jobs.get(name)
            for entry in entries:
                yield entry
                last = entry.sequence
            if len(entries) == STREAM_BATCH:
                continue
            if job_now is None:
                return
            if job_now.state != shown:
                shown = job_now.state
                yield job_now
            if job_now.state.ended:
                async with self._book.work() as work:
                    if not await work.jobs.entries_after(name, last, 1):
                        return
                continue
            await first_set(changed, seconds=self._config.poll_seconds)


def _model_name(parent: str, field: str) -> str:
    MODEL.parse(parent, field)
    return parent
