"""The campaign page links to the plans and meetings of the campaign, as their policies allow."""

from django.urls import reverse

from tests.plans.helpers import make_campaign


def links(client, campaign):
    page = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk])).content.decode()
    names = ("plans:plan_list", "plans:coverage", "plans:letter_list", "activities:meeting_list")
    return {name for name in names if f'{reverse(name)}?campaign={campaign.pk}' in page}


def test_staff_see_every_link_of_the_campaigns_work(login, cast):
    campaign = make_campaign(cast)
    assert links(login(cast.secretary), campaign) == {
        "plans:plan_list", "plans:coverage", "plans:letter_list", "activities:meeting_list"}


def test_a_member_is_not_offered_the_coverage_figures(login, cast):
    campaign = make_campaign(cast)
    assert links(login(cast.member), campaign) == {"plans:plan_list", "plans:letter_list", "activities:meeting_list"}
