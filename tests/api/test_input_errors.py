"""Malformed API input is answered in the user's language, with the location of each error kept."""

import re

from django.conf import settings
from django.urls import reverse

CHINESE = re.compile("[\u4e00-\u9fff]")


def test_a_wrong_type_is_422_in_chinese_naming_the_parameter(cast, login):
    response = login(cast.admin).get(reverse("api:list_people"), {"page": "x"})
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["query", "page"] and error["type"] == "int_parsing"
    assert error["msg"] == "必须是整数。"


def test_english_users_read_english(cast, login):
    client = login(cast.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("api:list_people"), {"page": "x"})
    assert response.status_code == 422
    assert not CHINESE.search(response.json()["detail"][0]["msg"])
