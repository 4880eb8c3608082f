"""Recognise a line of web-page chrome: page counters, font-size switches, breadcrumbs, print and
share widgets, site footers.

Government sites put these in ordinary markup, so they survive HTML extraction as lines of text.
They are matched by their wording (patterns below) rather than by markup, which lets the same test
drop them from a page's text when it is read and keep them out of quotes when answers are built.
"""

from __future__ import annotations

import re

_BOILER_LINE = [
    # A page counter ("浏览次数：128") or font-size switch, not body text that mentions visits.
    re.compile(r"(浏览|访问|阅读|点击)(次数|量|数)\s*[:：]|字号\s*[:：]?\s*[【\[(（]?\s*(默认|大|中|小)"),
    re.compile(r"^(当前位置|您现在的位置|您当前的位置|当前所在位置|所在位置|首页\s*[>＞»])"),
    re.compile(r"^(上一篇|下一篇|上一条|下一条)"),
    re.compile(r"^(显示|隐藏|展开|收起)(全部)?(表格)?(信息|内容)?$"),
    re.compile(
        r"^[\s【】\[\]|｜/·•>»:：-]*((打印(本页|此页|文章|页面|正文)?|关闭(窗口|本页|页面)?|返回(顶部|首页|上一页|列表)?"
        r"|(加入)?收藏(本页)?|分享(到)?|保存(本页)?|我要纠错|纠错|设为首页|TOP|top)[\s【】\[\]|｜/·•:：-]*)+$"
    ),
]
_BOILER_SHORT = re.compile(
    r"分享到|扫一扫|版权所有|ICP备|网站标识码|公网安备|(主办|承办|协办)单位\s*[:：]|技术支持\s*[:：]|网站地图"
    r"|建议使用.{0,12}浏览器|分辨率\s*[:：]?\s*\d"
)


def is_page_chrome(line: str) -> bool:
    """A web page's navigation or widget line (浏览次数, 字号, 打印, 分享到 …), not document text."""
    if len(line) > 80:
        return False
    if any(p.search(line) for p in _BOILER_LINE):
        return True
    return len(line) <= 60 and bool(_BOILER_SHORT.search(line))
