from django.db import migrations

import core.schema


class Migration(migrations.Migration):
    """The audit log is read by object and content type, by correlation id and by time, always
    exactly (core.history, core.filtersets): its two pattern indexes only slowed every write of
    an entry (decision 0030)."""

    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("core", "0004_task_outbox"),
    ]

    operations = [
        core.schema.DropPatternIndexes(table="auditlog_logentry", columns=["object_pk", "cid"]),
    ]
