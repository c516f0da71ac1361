from django.urls import reverse

from vanguard.core.models import Job, JobStatus


def test_a_finished_job_without_its_own_result_template_shows_the_generic_one(cast, login):
    job = Job.objects.create(kind="unknown_kind", title="测试任务", created_by=cast.admin,
                             status=JobStatus.FAILED, result={"error": "出错了"})
    page = login(cast.admin).get(reverse("core:job_detail", args=[job.pk]))
    assert page.status_code == 200 and "出错了" in page.content.decode()


def test_a_create_form_cancels_back_only_to_this_site(cast, login):
    client = login(cast.admin)
    page = client.get(reverse("orgs:org_create"), HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in page
    page = client.get(reverse("orgs:org_create"), HTTP_REFERER="http://testserver/orgs/people/").content.decode()
    assert 'href="http://testserver/orgs/people/"' in page
