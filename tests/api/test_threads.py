"""Comment threads through the API: auditors start (maybe blocking) threads, both
roles reply, threads are resolved and reopened with the review loop's rules."""

from assessments.models import Comment

from .conftest import bearer, make_token


def base(assessment):
    return f"/api/assessments/{assessment.pk}/"


def post(api, url, data=None):
    return api.post(url, data or {}, content_type="application/json")


def start_thread(api, assessment, code="I.1", **data):
    return post(
        api, base(assessment) + f"answers/{code}/comments/", {"text": "Which tests?"} | data
    )


def test_auditor_starts_a_blocking_thread_and_it_shows_in_the_list(
    submitted, auditor_api, officer_api
):
    response = start_thread(auditor_api, submitted, blocking=True)
    assert response.status_code == 201, response.json()
    thread = response.json()
    assert thread["parent"] is None and thread["blocking"] is True
    assert thread["resolved"] is False and thread["resolved_at"] is None
    assert thread["resolved_by"] is None and thread["author"] == "arthur"
    listed = officer_api.get(base(submitted) + "comments/").json()
    assert listed == [thread]


def test_officers_reply_but_do_not_start_threads(submitted, auditor_api, officer_api):
    refused = start_thread(officer_api, submitted)
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    thread = start_thread(auditor_api, submitted).json()
    reply = post(
        officer_api, base(submitted) + f"comments/{thread['id']}/replies/", {"text": "CI."}
    )
    assert reply.status_code == 201, reply.json()
    body = reply.json()
    assert body["parent"] == thread["id"] and body["author"] == "olivia"
    assert body["question"] == "I.1" and body["blocking"] is False
    # A reply to a reply is not a thread: 404; an empty reply: 400; nothing added.
    nested = post(auditor_api, base(submitted) + f"comments/{body['id']}/replies/", {"text": "x"})
    assert nested.status_code == 404
    empty = post(auditor_api, base(submitted) + f"comments/{thread['id']}/replies/", {"text": " "})
    assert empty.status_code == 400
    assert Comment.objects.count() == 2


def test_a_blocking_thread_stops_resubmission_until_resolved(submitted, auditor_api, officer_api):
    thread = start_thread(auditor_api, submitted, blocking=True).json()
    returned = post(auditor_api, base(submitted) + "return/", {"comment": "See I.1."})
    assert returned.status_code == 200
    refused = post(officer_api, base(submitted) + "submit/")
    assert refused.status_code == 409 and refused.json()["code"] == "workflow_refused"
    resolved = post(officer_api, base(submitted) + f"comments/{thread['id']}/resolve/")
    assert resolved.status_code == 200, resolved.json()
    body = resolved.json()
    assert body["resolved"] is True and body["resolved_by"] == "olivia" and body["resolved_at"]
    # Resolving again changes nothing.
    again = post(officer_api, base(submitted) + f"comments/{thread['id']}/resolve/")
    assert again.status_code == 200 and again.json()["resolved_at"] == body["resolved_at"]
    assert post(officer_api, base(submitted) + "submit/").status_code == 200


def test_reopen_rules(submitted, auditor_api, officer_api):
    thread = start_thread(auditor_api, submitted).json()
    url = base(submitted) + f"comments/{thread['id']}/"
    # Under review only an auditor resolves.
    refused = post(officer_api, url + "resolve/")
    assert refused.status_code == 409 and refused.json()["code"] == "workflow_refused"
    assert post(auditor_api, url + "resolve/").json()["resolved"] is True
    post(auditor_api, base(submitted) + "return/", {"comment": "Look again."})
    # What an auditor resolved, only an auditor reopens.
    refused = post(officer_api, url + "reopen/")
    assert refused.status_code == 409
    assert Comment.objects.get(pk=thread["id"]).resolved_at is not None
    reopened = post(auditor_api, url + "reopen/")
    assert reopened.status_code == 200
    assert reopened.json()["resolved"] is False and reopened.json()["resolved_by"] is None


def test_threads_of_an_approved_assessment_cannot_change(approved, auditor, officer):
    auditor_api = bearer(make_token(auditor, approved.organization)[1])
    thread = Comment.objects.create(answer=approved.answers.first(), author=auditor, text="Noted.")
    for action in ("resolve/", "reopen/"):
        response = post(auditor_api, base(approved) + f"comments/{thread.pk}/{action}")
        assert response.status_code == 409
    response = post(auditor_api, base(approved) + f"comments/{thread.pk}/replies/", {"text": "x"})
    assert response.status_code == 409 and Comment.objects.count() == 1


def test_outsiders_get_404_and_readers_403(submitted, auditor_api, outsider, officer):
    thread = start_thread(auditor_api, submitted).json()
    from assessments.models import Membership

    other = Membership.objects.get(user=outsider).organization
    outsider_api = bearer(make_token(outsider, other)[1])
    for action in ("resolve/", "reopen/", "replies/"):
        url = base(submitted) + f"comments/{thread['id']}/{action}"
        assert post(outsider_api, url, {"text": "x"}).status_code == 404
    assert outsider_api.get(base(submitted) + "comments/").status_code == 404
    _, secret = make_token(officer, submitted.organization, access="read", name="Reader")
    reader = bearer(secret)
    response = post(reader, base(submitted) + f"comments/{thread['id']}/replies/", {"text": "x"})
    assert response.status_code == 403 and response.json()["code"] == "token_read_only"
    assert Comment.objects.count() == 1


def test_comment_list_has_a_constant_query_count(
    submitted, auditor_api, officer_api, django_assert_max_num_queries
):
    for code in ("I.1", "I.2", "II.1"):
        thread = start_thread(auditor_api, submitted, code=code).json()
        post(officer_api, base(submitted) + f"comments/{thread['id']}/replies/", {"text": "Ok."})
        post(auditor_api, base(submitted) + f"comments/{thread['id']}/resolve/")
    with django_assert_max_num_queries(8):
        response = officer_api.get(base(submitted) + "comments/")
    assert len(response.json()) == 6
