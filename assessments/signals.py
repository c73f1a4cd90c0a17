"""Events of the assessment workflow that higher apps act on.

Assessments do not import the apps built on them (reports, notifications); they
send these signals and let those apps decide what follows.
"""

from django.dispatch import Signal

# Sent inside the approval transaction, after the assessment row was approved and
# locked: ``assessment`` (approved) and ``by`` (the auditor). Receivers that start
# background work do so with ``transaction.on_commit``, so nothing runs for an
# approval that is rolled back.
assessment_approved = Signal()

# Sent inside the submission transaction: ``assessment`` (submitted) and ``by``.
assessment_submitted = Signal()

# Sent inside the return transaction: ``assessment`` (a draft again), ``by`` (the
# auditor) and ``reason`` (the auditor's comment).
assessment_returned = Signal()

# Sent inside the transaction that stored a comment on an answer (a new comment or a
# reply): ``comment`` and ``by``.
comment_posted = Signal()

# Sent inside the transaction that assigned (or reassigned) work: ``assignment`` and
# ``by`` (the officer who assigned it).
work_assigned = Signal()
