"""What the journal tells other apps, inside the writer's transaction.

``lesson_saved``: a lesson's marks or attendance changed. Arguments: ``class_subject_id``,
``period_id``, ``pupils`` (whose marks changed) and ``lesson_id`` (set when the lesson was created
or its attendance changed). The analytics app queues its roll-ups from it; the journal does not
know who listens."""

from django.dispatch import Signal

lesson_saved = Signal()
