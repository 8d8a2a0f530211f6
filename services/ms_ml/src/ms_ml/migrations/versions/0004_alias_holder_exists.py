"""An alias's holder must be a version that exists: a foreign key from model_aliases to
model_versions, so that deleting a version racing a promotion to it cannot leave the alias
pointing at nothing.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("model_aliases") as batch:
        batch.create_foreign_key(
            "fk_model_aliases_model_version", "model_versions", ["model_version"], ["name"]
        )


def downgrade() -> None:
    with op.batch_alter_table("model_aliases") as batch:
        batch.drop_constraint("fk_model_aliases_model_version", type_="foreignkey")
