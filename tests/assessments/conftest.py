import pytest

from principles.models import LifecycleRole, Question, QuestionWeight


@pytest.fixture
def big_catalogue(db):
    """Make the catalogue five times its real size."""
    roles = list(LifecycleRole.objects.all())
    originals = list(Question.objects.select_related("principle").prefetch_related("weights"))
    for copy in range(1, 5):
        for q in originals:
            new = Question.objects.create(
                principle=q.principle, code=f"{q.code}{copy}00", order=q.order + 100 * copy,
                text=q.text, guidance=q.guidance, evidence_expected=q.evidence_expected,
            )  # fmt: skip
            QuestionWeight.objects.bulk_create(
                QuestionWeight(question=new, role=r, weight=w.weight)
                for r, w in zip(
                    roles, sorted(q.weights.all(), key=lambda w: w.role_id), strict=True
                )
            )
    return Question.objects.count()
