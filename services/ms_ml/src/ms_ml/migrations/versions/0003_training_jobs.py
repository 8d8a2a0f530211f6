"""Create the training jobs and their logs (lines and metric points, numbered per job).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_jobs",
        sa.Column("name", sa.String(255), primary_key=True, nullable=False),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("recipe", sa.String(64), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("dataset_uri", sa.Text(), nullable=False),
        sa.Column("hyperparameters", sa.JSON(), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("memory_bytes", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.String(255), nullable=False),
        sa.Column("model_version", sa.String(255), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_training_jobs_model_create_time", "training_jobs", ["model", "create_time"])
    op.create_index("ix_training_jobs_state", "training_jobs", ["state"])
    op.create_table(
        "training_job_entries",
        sa.Column(
            "job",
            sa.String(255),
            sa.ForeignKey("training_jobs.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("line", sa.Text(), nullable=True),
        sa.Column("metric", sa.String(128), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("job", "sequence"),
    )


def downgrade() -> None:
    op.drop_table("training_job_entries")
    op.drop_index("ix_training_jobs_state", table_name="training_jobs")
    op.drop_index("ix_training_jobs_model_create_time", table_name="training_jobs")
    op.drop_table("training_jobs")
