"""Create the registry's tables: models, versions (with their metrics and tags for search),
aliases, the transition history, stored artifacts, deployments and their revisions.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("name", sa.String(255), primary_key=True, nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("task", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("gates", sa.JSON(), nullable=False),
        sa.Column("etag", sa.String(32), nullable=False),
        sa.Column("versions_created", sa.Integer(), nullable=False),
        sa.Column("transitions_recorded", sa.Integer(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "model_versions",
        sa.Column("name", sa.String(255), primary_key=True, nullable=False),
        sa.Column(
            "model",
            sa.String(255),
            sa.ForeignKey("models.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("training_job", sa.String(255), nullable=False),
        sa.Column("source_commit", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("creator", sa.String(255), nullable=False),
        sa.Column("etag", sa.String(32), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_update_time", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("model", "number", name="uq_model_versions_model_number"),
    )
    op.create_index(
        "ux_model_versions_one_production",
        "model_versions",
        ["model"],
        unique=True,
        sqlite_where=sa.text("stage = 3"),
        postgresql_where=sa.text("stage = 3"),
    )
    op.create_table(
        "model_version_metrics",
        sa.Column(
            "model_version",
            sa.String(255),
            sa.ForeignKey("model_versions.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("metric", sa.String(128), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("model_version", "metric"),
    )
    op.create_index(
        "ix_model_version_metrics_metric_value", "model_version_metrics", ["metric", "value"]
    )
    op.create_table(
        "model_version_tags",
        sa.Column(
            "model_version",
            sa.String(255),
            sa.ForeignKey("model_versions.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("model_version", "key"),
    )
    op.create_index("ix_model_version_tags_key_value", "model_version_tags", ["key", "value"])
    op.create_table(
        "model_aliases",
        sa.Column(
            "model",
            sa.String(255),
            sa.ForeignKey("models.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("alias", sa.String(63), nullable=False),
        sa.Column("model_version", sa.String(255), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("model", "alias"),
    )
    op.create_index("ix_model_aliases_model_version", "model_aliases", ["model_version"])
    op.create_table(
        "model_transitions",
        sa.Column(
            "model",
            sa.String(255),
            sa.ForeignKey("models.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("model_version", sa.String(255), nullable=False),
        sa.Column("alias", sa.String(63), nullable=False),
        sa.Column("previous_model_version", sa.String(255), nullable=False),
        sa.Column("from_stage", sa.SmallInteger(), nullable=True),
        sa.Column("to_stage", sa.SmallInteger(), nullable=True),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("model", "number"),
    )
    op.create_table(
        "artifacts",
        sa.Column("sha256", sa.String(64), primary_key=True, nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "deployments",
        sa.Column("name", sa.String(255), primary_key=True, nullable=False),
        sa.Column("model", sa.String(255), sa.ForeignKey("models.name"), nullable=False),
        sa.Column("traffic", sa.JSON(), nullable=False),
        sa.Column("replicas", sa.Integer(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(32), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "deployment_revisions",
        sa.Column(
            "deployment",
            sa.String(255),
            sa.ForeignKey("deployments.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("traffic", sa.JSON(), nullable=False),
        sa.Column("replicas", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("restored_revision", sa.Integer(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("deployment", "revision"),
    )


def downgrade() -> None:
    op.drop_table("deployment_revisions")
    op.drop_table("deployments")
    op.drop_table("artifacts")
    op.drop_table("model_transitions")
    op.drop_table("model_aliases")
    op.drop_table("model_version_tags")
    op.drop_table("model_version_metrics")
    op.drop_table("model_versions")
    op.drop_table("models")
