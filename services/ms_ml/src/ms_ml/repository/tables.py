"""The service's tables: what Alembic migrates and the repositories query."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

NAME = 255
PRODUCTION = 3

models = Table(
    "models",
    metadata,
    Column("name", String(NAME), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("task", String(64), nullable=False),
    Column("owner", String(NAME), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("gates", JSON, nullable=False),
    Column("etag", String(32), nullable=False),
    # Counters numbering the model's versions and transitions, advanced by one UPDATE each.
    Column("versions_created", Integer, nullable=False),
    Column("transitions_recorded", Integer, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("name", String(NAME), primary_key=True),
    Column("model", String(NAME), ForeignKey("models.name", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("format", String(64), nullable=False),
    Column("stage", SmallInteger, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("params", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("training_job", String(NAME), nullable=False),
    Column("source_commit", String(100), nullable=False),
    Column("description", Text, nullable=False),
    Column("creator", String(NAME), nullable=False),
    Column("etag", String(32), nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
    Column("stage_update_time", DateTime(timezone=True), nullable=False),
    UniqueConstraint("model", "number", name="uq_model_versions_model_number"),
    # At most one version of a model in PRODUCTION, whatever runs concurrently.
    Index(
        "ux_model_versions_one_production",
        "model",
        unique=True,
        sqlite_where=text(f"stage = {PRODUCTION}"),
        postgresql_where=text(f"stage = {PRODUCTION}"),
    ),
)

# Metrics and tags again, a row each, for SearchModelVersions' conditions and ordering.
model_version_metrics = Table(
    "model_version_metrics",
    metadata,
    Column(
        "model_version",
        String(NAME),
        ForeignKey("model_versions.name", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("metric", String(128), nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("model_version", "metric"),
    Index("ix_model_version_metrics_metric_value", "metric", "value"),
)

model_version_tags = Table(
    "model_version_tags",
    metadata,
    Column(
        "model_version",
        String(NAME),
        ForeignKey("model_versions.name", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(256), nullable=False),
    Column("value", String(256), nullable=False),
    PrimaryKeyConstraint("model_version", "key"),
    Index("ix_model_version_tags_key_value", "key", "value"),
)

# One row per alias: its holder is one column, so an alias never has two holders.
model_aliases = Table(
    "model_aliases",
    metadata,
    Column("model", String(NAME), ForeignKey("models.name", ondelete="CASCADE"), nullable=False),
    Column("alias", String(63), nullable=False),
    # A version that holds an alias cannot be deleted without the alias (a deletion racing a
    # promotion fails on this constraint and runs again, releasing the alias it now sees).
    Column(
        "model_version",
        String(NAME),
        ForeignKey("model_versions.name", name="fk_model_aliases_model_version"),
        nullable=False,
    ),
    Column("update_time", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(NAME), nullable=False),
    PrimaryKeyConstraint("model", "alias"),
    Index("ix_model_aliases_model_version", "model_version"),
)

model_transitions = Table(
    "model_transitions",
    metadata,
    Column("model", String(NAME), ForeignKey("models.name", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("kind", SmallInteger, nullable=False),
    Column("model_version", String(NAME), nullable=False),
    Column("alias", String(63), nullable=False),
    Column("previous_model_version", String(NAME), nullable=False),
    Column("from_stage", SmallInteger, nullable=True),
    Column("to_stage", SmallInteger, nullable=True),
    Column("actor", String(NAME), nullable=False),
    Column("reason", Text, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("model", "number"),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
)

deployments = Table(
    "deployments",
    metadata,
    Column("name", String(NAME), primary_key=True),
    Column("model", String(NAME), ForeignKey("models.name"), nullable=False),
    Column("traffic", JSON, nullable=False),
    Column("replicas", Integer, nullable=False),
    Column("state", SmallInteger, nullable=False),
    Column("status_message", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("etag", String(32), nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
)

deployment_revisions = Table(
    "deployment_revisions",
    metadata,
    Column(
        "deployment",
        String(NAME),
        ForeignKey("deployments.name", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("revision", Integer, nullable=False),
    Column("traffic", JSON, nullable=False),
    Column("replicas", Integer, nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("reason", Text, nullable=False),
    Column("restored_revision", Integer, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("deployment", "revision"),
)

# Training jobs (ms_ml.training) add their tables below this line, in their own migration.

training_jobs = Table(
    "training_jobs",
    metadata,
    Column("name", String(NAME), primary_key=True),
    Column("model", String(NAME), nullable=False),
    Column("recipe", String(64), nullable=False),
    Column("state", SmallInteger, nullable=False),
    Column("dataset_uri", Text, nullable=False),
    Column("hyperparameters", JSON, nullable=False),
    Column("timeout_seconds", Integer, nullable=False),
    Column("memory_bytes", BigInteger, nullable=False),
    Column("creator", String(NAME), nullable=False),
    Column("model_version", String(NAME), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("host", String(NAME), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("cancel_requested", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
    Column("start_time", DateTime(timezone=True), nullable=True),
    Column("end_time", DateTime(timezone=True), nullable=True),
    Index("ix_training_jobs_model_create_time", "model", "create_time"),
    Index("ix_training_jobs_state", "state"),
)

training_job_entries = Table(
    "training_job_entries",
    metadata,
    Column(
        "job", String(NAME), ForeignKey("training_jobs.name", ondelete="CASCADE"), nullable=False
    ),
    Column("sequence", BigInteger, nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    # A log line, or NULL for a metric point.
    Column("line", Text, nullable=True),
    Column("metric", String(128), nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("job", "sequence"),
)
