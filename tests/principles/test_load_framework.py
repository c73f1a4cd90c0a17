"""load_framework: validation before any write, idempotence, in-place updates;
export_framework: the round trip."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from principles.framework import FILES, export_framework, load_framework
from principles.models import LifecycleRole, Principle, Question, QuestionWeight
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def catalogue_state():
    """Everything an admin can see of the catalogue, history included."""
    return (
        list(Principle.objects.order_by("pk").values()),
        list(LifecycleRole.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
        list(QuestionWeight.objects.order_by("pk").values()),
        Principle.history.count() + Question.history.count() + QuestionWeight.history.count(),
    )


@pytest.fixture
def framework_dir(tmp_path):
    for name in FILES:
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def load_and_fail(directory) -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("load_framework", str(directory))
    return str(excinfo.value)


def test_loading_the_same_files_twice_changes_nothing(framework_dir, capsys):
    before = catalogue_state()
    call_command("load_framework", str(framework_dir))
    assert "0 created, 0 updated" in capsys.readouterr().out
    assert catalogue_state() == before


def test_malformed_yaml_is_reported_with_its_line_and_nothing_changes(framework_dir, capsys):
    path = framework_dir / "questions.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[9] = "    text: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = catalogue_state()
    assert "nothing was loaded" in load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert "questions.yaml, line" in err and "malformed YAML" in err
    assert catalogue_state() == before


def test_unknown_principle_is_reported_with_entry_and_line(framework_dir, capsys):
    edit(framework_dir / "questions.yaml", "principle: [I]", "principle: [XIII]")
    edit(framework_dir / "principles.yaml", "\n", "\n")  # untouched file loads fine
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert "questions.yaml, entry 1 (line" in err
    assert "unknown principle 'XIII'" in err
    assert catalogue_state() == before


def test_unknown_role_is_reported(framework_dir, capsys):
    edit(framework_dir / "questions.yaml", "role: [use]", "role: [marketing]")
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert "unknown role 'marketing'" in err
    assert "has no weight for role(s) use" in err
    assert catalogue_state() == before


def test_duplicate_question_code_is_reported(framework_dir, capsys):
    edit(framework_dir / "questions.yaml", "code: I.2", "code: I.1")
    before = catalogue_state()
    load_and_fail(framework_dir)
    assert "duplicate question code I.1" in capsys.readouterr().err
    assert catalogue_state() == before


@pytest.mark.parametrize("bad", ["4", "-1", "two", "1.5"])
def test_weight_outside_0_to_3_is_reported(framework_dir, capsys, bad):
    path = framework_dir / "questions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    index = next(i for i, e in enumerate(data) if e["model"] == "principles.questionweight")
    data[index]["fields"]["weight"] = yaml.safe_load(bad)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # Also change a text so that a partial load would be visible.
    edit(framework_dir / "principles.yaml", "title: Security controls", "title: Changed")
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert f"entry {index + 1}" in err and "must be a whole number from 0 to 3" in err
    assert catalogue_state() == before


def test_question_without_weights_for_all_roles_is_reported(framework_dir, capsys):
    path = framework_dir / "questions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = [
        e
        for e in data
        if not (e["model"] == "principles.questionweight" and e["fields"]["question"] == ["I.3"]
                and e["fields"]["role"] in (["design"], ["use"]))
    ]  # fmt: skip
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = catalogue_state()
    load_and_fail(framework_dir)
    assert "question I.3 has no weight for role(s) design, use" in capsys.readouterr().err
    assert catalogue_state() == before


def test_edited_files_update_rows_in_place(framework_dir):
    question = Question.objects.get(code="II.1")
    weight = QuestionWeight.objects.get(question=question, role__code="use")
    principle = Principle.objects.get(numeral="II")
    path = framework_dir / "questions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data:
        fields = entry["fields"]
        if entry["model"] == "principles.question" and fields["code"] == "II.1":
            fields["text"] = "Do you run a vulnerability disclosure programme?"
        if fields.get("question") == ["II.1"] and fields["role"] == ["use"]:
            fields["weight"] = 3 if weight.weight != 3 else 2
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edit(framework_dir / "principles.yaml", "patterns of misuse", "patterns of abuse")

    result = load_framework(directory=framework_dir)

    assert (result.created, result.updated) == (0, 3)
    question.refresh_from_db()
    assert question.text == "Do you run a vulnerability disclosure programme?"
    assert QuestionWeight.objects.get(pk=weight.pk).weight != weight.weight
    principle.refresh_from_db()
    assert "patterns of abuse" in principle.text
    assert principle.wording_version == 2


def test_export_then_load_into_an_empty_database_gives_the_same_catalogue(tmp_path):
    Principle.objects.filter(numeral="IV").update(wording_version=3)  # survives the trip
    before = catalogue_state()[:4]
    export_framework(directory=tmp_path)

    QuestionWeight.objects.all().delete()
    Question.objects.all().delete()
    Principle.objects.all().delete()
    LifecycleRole.objects.all().delete()
    load_framework(directory=tmp_path)

    def without_ids(rows):
        return [
            {k: v for k, v in row.items() if k != "id" and not k.endswith("_id")} for row in rows
        ]

    after = catalogue_state()[:4]
    for old, new in zip(before, after, strict=True):
        assert without_ids(old) == without_ids(new)
    weights = {
        (w.question.code, w.role.code): w.weight
        for w in QuestionWeight.objects.select_related("question", "role")
    }
    assert len(weights) == len(before[3])
    assert Principle.objects.get(numeral="IV").wording_version == 3


def test_loaddata_reads_the_same_fixtures():
    call_command("loaddata", "principles", "roles", "questions", verbosity=0)
    assert Principle.objects.count() == 12
    assert LifecycleRole.objects.count() == 5


# --- hostile or careless files ----------------------------------------------------


def alias_bomb() -> str:
    """Ten levels of ten aliases each: 10^10 strings once expanded, 5.7 KB on disk."""
    lines = ["- model: principles.principle", "  fields:", "    order: 1"]
    lines.append("    a0: &a0 [" + ", ".join(['"lol"'] * 10) + "]")
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"    a{level}: &a{level} [{refs}]")
    lines.append("    numeral: [" + ", ".join(["*a8"] * 10) + "]")
    text = "\n".join(lines) + "\n"
    return text + "#" * (5800 - len(text)) + "\n"


def test_an_alias_bomb_is_refused_at_once_with_tiny_memory(framework_dir):
    import resource

    (framework_dir / "principles.yaml").write_text(alias_bomb(), encoding="utf-8")
    assert 5500 < (framework_dir / "principles.yaml").stat().st_size < 6000

    def limit_memory():  # a regression fails with MemoryError instead of eating the machine
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{framework_dir / 'empty.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "load_framework", str(framework_dir)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory,
    )
    assert result.returncode == 1
    assert (
        "principles.yaml, line 4: malformed YAML: anchors and aliases (&name, *name) "
        "are not allowed in framework files" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 300


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(framework_dir, capsys, settings):
    settings.FRAMEWORK_MAX_FILE_BYTES = 50_000
    path = framework_dir / "questions.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n- [unclosed\n", encoding="utf-8")
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert "questions.yaml: the file has" in err
    assert "at most 50,000 bytes (FRAMEWORK_MAX_FILE_BYTES)" in err
    assert "malformed YAML" not in err  # never parsed
    assert catalogue_state() == before


def test_a_duplicate_key_in_a_mapping_is_reported_with_its_line(framework_dir, capsys):
    edit(framework_dir / "principles.yaml", "    order: 1\n", "    order: 1\n    order: 2\n")
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert "principles.yaml, line 7: malformed YAML: duplicate key 'order'" in err
    assert catalogue_state() == before


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "order: 1\n",
            "order: 99999999999999999999\n",
            "principle I: 'order' must be a whole number from 0 to 32767",
        ),
        (
            "title: Risks across the AI lifecycle",
            "title: " + "Risks " * 30,
            "principle I: 'title': Ensure this value has at most 120 characters (it has 179).",
        ),
        ("numeral: I\n", "numeral: <!--\n", "'<!--' is not a principle numeral"),
        ("numeral: I\n", "numeral: [I, II]\n", "['I', 'II'] is not a principle numeral"),
    ],
)
def test_principle_fields_outside_the_models_limits_are_reported(
    framework_dir, capsys, old, new, message
):
    edit(framework_dir / "principles.yaml", old, new)
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert catalogue_state() == before


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("code: I.1\n", "code: I.1234567890\n", "'I.1234567890' is not a question code"),
        ("code: I.1\n", "code: =1+1\n", "'=1+1' is not a question code"),
        ("code: I.1\n", "code: II.99\n", "must start with its principle's numeral I"),
        ("order: 1\n", "order: 70000\n", "question I.1: 'order' must be a whole number from 0"),
    ],
)
def test_question_fields_outside_the_models_limits_are_reported(
    framework_dir, capsys, old, new, message
):
    edit(framework_dir / "questions.yaml", old, new)
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert catalogue_state() == before


def test_an_over_long_role_name_and_code_are_reported(framework_dir, capsys):
    edit(framework_dir / "roles.yaml", "name: Design", "name: " + "D" * 61)
    edit(framework_dir / "roles.yaml", "code: use", "code: use-of-ai-systems-by-anyone")
    before = catalogue_state()
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert "'name': Ensure this value has at most 60 characters (it has 61)." in err
    assert "'code': Ensure this value has at most 20 characters" in err
    assert catalogue_state() == before


def test_a_long_bad_value_is_shown_shortened(framework_dir, capsys):
    edit(framework_dir / "principles.yaml", "numeral: I\n", "numeral: " + "X" * 5000 + "\n")
    load_and_fail(framework_dir)
    err = capsys.readouterr().err
    assert "XXXXXXXXXX…" in err and len(err) < 3000


def test_a_database_error_while_loading_is_a_problem_and_nothing_is_written(framework_dir):
    from unittest import mock

    from django.db import OperationalError

    edit(framework_dir / "principles.yaml", "title: Security controls", "title: Changed")
    before = catalogue_state()
    with mock.patch.object(
        QuestionWeight, "save", side_effect=OperationalError("database is locked")
    ):
        edit(framework_dir / "questions.yaml", "weight: 1}", "weight: 0}")
        message = load_and_fail(framework_dir)
    assert "nothing was loaded" in message
    assert catalogue_state() == before
