"""Web pages as county staff save them from government sites (浏览器“另存为”), made by the tests and
the folder benchmark: the report inside a CMS page (site header, navigation, breadcrumb, scripts and
styles, a share/print bar, related articles, a footer with 主办单位 and ICP备), in GBK or UTF-8, with
or without a charset declaration, and the `_files/` folder a browser writes beside it.

The tables are drawn from the format's labels (toolkit.core.formats), independently of the project's
own export: row labels over up to three columns with rowspan, column headers with colspan, as the
official tables are published.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from toolkit.core.formats import cell_id, get_format
from toolkit.core.model import Report
from toolkit.core.rules import computed_totals
from toolkit.app.samples import plausible_report

SITE = "某某县人民政府"
# Texts of the page's wrapper: none of them may reach the imported report.
WRAPPER_WORDS = ("无障碍", "长者模式", "政务公开", "当前位置", "首页", "打印本页", "关闭窗口", "分享到", "相关文章",
                 "主办单位", "承办单位", "版权所有", "网站标识码", "ICP备", "公网安备", "技术支持", "联系我们", "网站地图",
                 "浏览次数", "扫一扫", "上一篇", "下一篇", "var ", "font-family", SITE)

DECLARATIONS = {
    "meta-charset": '<meta charset="{charset}">',
    "http-equiv": '<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
    "none": "",
}


def figures(report: Report) -> dict:
    """Every cell of the report's tables as the page prints it: entries and totals."""
    return {**report.values, **computed_totals(report)}


def report_for(unit: str, year: int, version: str = "2021", seed: int = 0) -> Report:
    level = "街道" if unit.endswith("街道") else "乡镇"
    report = plausible_report(unit, level, year, version, seed=seed)
    for cid in [c for c in report.values if c.startswith("t3.result.other.overdue_fee.")]:
        # no request dropped for an unpaid fee: 六 says no fee was charged (no TX-FEES)
        report.values[f"t3.result.open.{cid.rsplit('.', 1)[1]}"] += report.values[cid]
        report.values[cid] = 0
    report.texts = {
        "overview": f"{year}年，{unit}深入贯彻《中华人民共和国政府信息公开条例》，全年主动公开政府信息{100 + seed}条。\n"
                    "（一）主动公开。及时公开政策文件、财政预决算和重点项目信息。\n"
                    "（二）依申请公开。规范受理、办理、答复流程，做到依法按时答复。",
        "problems": "一是公开内容不够全面，部分领域信息更新不及时；二是工作人员业务能力有待提升。"
                    "下一步将加强业务培训，完善信息发布审核机制，推动公开工作提质增效。",
        "other": "本年度依照《政府信息公开信息处理费管理办法》，未收取信息处理费。",
    }
    report.info = {"date": f"{year + 1}-01-20"}
    return report


def _cell(text, rowspan=1, colspan=1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    shown = escape(str(text)).replace("\n", "<br>")
    return f"<td{attrs}>{shown}</td>"


def _column_header(columns, corner: str | None, label_columns: int) -> list[str]:
    """Header rows for columns labelled by paths (申请人情况 > 法人或其他组织 > 商业企业): a label spans
    the columns below it, a short path spans the rows down."""
    depth = max(len(c.labels) for c in columns)
    rows = [[] for _ in range(depth)]
    if label_columns:
        rows[0].append(_cell(corner or "", rowspan=depth, colspan=label_columns))
    for level in range(depth):
        i = 0
        while i < len(columns):
            labels = columns[i].labels
            if len(labels) <= level:
                i += 1
                continue
            j = i
            while j + 1 < len(columns) and columns[j + 1].labels[:level + 1] == labels[:level + 1] \
                    and len(columns[j + 1].labels) > level:
                j += 1
            down = depth - level if len(labels) == level + 1 else 1
            rows[level].append(_cell(labels[level], rowspan=down, colspan=j - i + 1))
            i = j + 1
    return ["<tr>" + "".join(r) + "</tr>" for r in rows]


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def table_html(version: str, table_id: str, values: dict) -> str:
    table = get_format(version).table(table_id)
    out = ['<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable">']
    depth = max(len(r.labels) for r in table.rows)  # 0: table 四's one data row has no label
    label_columns = max(depth, 1) if depth else 0
    width = label_columns + max(len(b.columns) for b in table.blocks)
    for block in table.blocks:
        if block.heading:
            out.append("<tr>" + _cell(block.heading, colspan=width) + "</tr>")
        if block.heading or block is table.blocks[0]:
            corner = block.corner or ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
                                      if table_id == "t3" else "")
            out += _column_header(block.columns, corner, label_columns if depth else 0)
        spans = {}  # group path -> rows below it
        for row in block.rows:
            for level in range(len(row.labels) - 1):
                spans[row.labels[:level + 1]] = spans.get(row.labels[:level + 1], 0) + 1
        seen = set()
        extra = len(block.columns) < width - label_columns
        for row in block.rows:
            cells = []
            for level, label in enumerate(row.labels):
                path = row.labels[:level + 1]
                if level < len(row.labels) - 1:
                    if path not in seen:
                        seen.add(path)
                        cells.append(_cell(label, rowspan=spans[path]))
                else:
                    cells.append(_cell(label, colspan=label_columns - level))
            for i, column in enumerate(block.columns):
                span = width - label_columns - len(block.columns) + 1 if extra and i == len(block.columns) - 1 else 1
                cells.append(_cell(_fmt(values[cell_id(table_id, row.id, column.id)]), colspan=span))
            out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def report_html(report: Report) -> str:
    """The article: title, the six parts (tables drawn from the format's labels), the signature."""
    fmt = get_format(report.format)
    values = figures(report)
    title = f"{report.unit}{report.year}年政府信息公开工作年度报告"
    year, month, day = report.info["date"].split("-")
    body = [f'<h1 class="title">{escape(title)}</h1>',
            f'<div class="info">发布时间：{report.info["date"]} 来源：{escape(report.unit)} 浏览次数：<span id="hits">128</span></div>',
            '<div class="TRS_Editor" id="zoom">']
    for part in fmt.parts:
        body.append(f'<p style="text-indent:2em"><strong>{escape(part.heading)}</strong></p>')
        if part.text:
            body += [f"<p>　　{escape(t)}</p>" for t in report.texts[part.text].split("\n")]
        if part.table:
            body.append(table_html(report.format, part.table, values))
    signed = report.unit if report.unit.endswith("街道") else f"{report.unit}人民政府"
    body += [f'<p style="text-align:right">{escape(signed)}</p>',
             f'<p style="text-align:right">{int(year)}年{int(month)}月{int(day)}日</p>', "</div>"]
    return "\n".join(body)


STYLES = ("div", "table")


def cms_page(report: Report, name: str, declaration: str = "meta-charset", charset: str = "gbk",
             style: str = "div") -> str:
    """The report as a county site's CMS shows it; `name` is the saved file's stem (its _files/).
    `style` "div": a modern CMS, its parts in classed <div>s; "table": an older one laid out in
    tables without telling class names (the footer a one-cell table, the navigation a table row)."""
    declared = DECLARATIONS[declaration].format(charset=charset)
    title = f"{report.unit}{report.year}年政府信息公开工作年度报告"
    assets = f"./{name}_files"
    if style == "table":
        return _table_page(report, declared, title, assets)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<!-- saved from url=(0062)http://www.example.gov.cn/zwgk/xxgkml/ndbg/202301/t20230120_1.html -->
<html xmlns="http://www.w3.org/1999/xhtml"><head>{declared}
<title>{escape(title)}_{SITE}</title>
<meta name="SiteName" content="{SITE}"><meta name="ColumnName" content="政府信息公开年报">
<link rel="stylesheet" type="text/css" href="{assets}/style.css">
<style type="text/css">body {{ font-family: "微软雅黑"; }} .title {{ color: #c00 }}</style>
<script type="text/javascript" src="{assets}/jquery.min.js"></script>
<script type="text/javascript">var siteName = "{SITE}"; document.write("欢迎访问");</script>
</head>
<body>
<div class="top"><div class="w1200"><span>欢迎访问{SITE}门户网站</span>
<a href="#">无障碍</a> | <a href="#">长者模式</a> | <a href="#">登录</a></div></div>
<div class="header"><img src="{assets}/logo.png" alt="{SITE}"><div class="search"><input type="text" value="请输入关键词"><button>搜索</button></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="main w1200">
<div class="left"><h3>信息公开目录</h3><ul><li><a href="#">机构职能</a></li><li><a href="#">政策文件</a></li>
<li><a href="#">{SITE}{report.year - 1}年政府信息公开工作年度报告</a></li><li><a href="#">财政预决算</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="#">政府信息公开年报</a> &gt; {escape(title)}</div>
<div class="article">
{report_html(report)}
<div class="share">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>
<div class="fx"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="ewm">扫一扫在手机打开当前页</div>
<iframe src="{assets}/counter.html" width="0" height="0"></iframe>
</div>
<div class="xgwz"><h3>相关文章</h3><ul><li><a href="#">{escape(report.unit)}{report.year - 1}年政府信息公开工作年度报告</a></li>
<li><a href="#">{SITE}{report.year}年政府信息公开工作年度报告</a></li></ul></div>
</div>
<div class="footer"><div class="w1200">
<p><a href="#">网站地图</a> | <a href="#">联系我们</a> | <a href="#">关于我们</a></p>
<p>主办单位：{SITE}办公室　承办单位：某某县大数据中心</p>
<p>地址：某某县人民路1号　邮编：610000　联系电话：0000-1234567</p>
<p>网站标识码：5100000001　<a href="https://beian.miit.gov.cn/">蜀ICP备12345678号</a>　川公网安备 51000002000001号</p>
<p>版权所有 &copy; 2023 {SITE}　技术支持：某某网络科技有限公司</p>
</div></div>
<script type="text/javascript">var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
</body></html>
"""


def _table_page(report: Report, declared: str, title: str, assets: str) -> str:
    return f"""<html>
<head>
<title>{escape(title)}</title>
{declared}
<script language="javascript" src="{assets}/jquery.min.js"></script>
<script>function doZoom(size) {{ document.getElementById("zoom").style.fontSize = size + "px"; }}</script>
</head>
<body topmargin="0" leftmargin="0">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td><img src="{assets}/logo.png" width="1000" height="120"></td></tr></table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="dh"><tr>
<td><a href="/">首页</a></td><td><a href="/zwgk/">政务公开</a></td><td><a href="/bsfw/">政务服务</a></td><td><a href="/hdjl/">互动交流</a></td></tr></table>
<table width="1000" border="0" align="center"><tr><td class="wz">您现在的位置：<a href="/">首页</a> &gt;&gt; <a href="/zwgk/">政务公开</a> &gt;&gt; <a href="#">年度报告</a></td></tr></table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td width="200" valign="top">
<table width="100%"><tr><td><a href="#">机构职能</a></td></tr><tr><td><a href="#">{SITE}{report.year - 1}年政府信息公开工作年度报告</a></td></tr>
<tr><td><a href="#">政策文件</a></td></tr></table></td><td valign="top">
<table width="100%" border="0"><tr><td align="center" style="font-size:22px;font-weight:bold">{escape(title)}</td></tr>
<tr><td align="center">发布日期：{report.info["date"]}　　字体：[<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>]</td></tr></table>
<div id="zoom">
{report_html(report).split(chr(10), 2)[2]}
</td></tr></table>
<table width="1000" border="0" align="center"><tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr></table>
<table width="1000" border="0" align="center"><tr><td>相关链接：</td></tr>
<tr><td><a href="#">{escape(report.unit)}{report.year - 1}年政府信息公开工作年度报告</a></td></tr>
<tr><td><a href="#">{SITE}{report.year}年政府信息公开工作年度报告</a></td></tr></table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#1d5ca8"><tr><td align="center">
<a href="#">网站地图</a> | <a href="#">联系我们</a><br>
主办单位：{SITE}办公室　　承办单位：某某县大数据中心<br>
地址：某某县人民路1号　联系电话：0000-1234567<br>
网站标识码：5100000001　蜀ICP备12345678号　川公网安备 51000002000001号<br>
技术支持：某某网络科技有限公司
</td></tr></table>
</body>
</html>
"""


def save_page(folder: Path, name: str, report: Report, declaration: str = "meta-charset", charset: str = "gbk",
              encoding: str | None = None, assets: bool = True, style: str = "div") -> Path:
    """Write the page as a browser's “网页，全部” does: `name.html` and its `name_files/` folder
    (a stylesheet, a script, the logo and the counter iframe's page)."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{name}.html"
    page.write_bytes(cms_page(report, name, declaration, charset, style).encode(encoding or charset))
    if assets:
        files = folder / f"{name}_files"
        files.mkdir(exist_ok=True)
        (files / "style.css").write_text("body { margin: 0 } .nav li { float: left }\n", encoding="utf-8")
        (files / "jquery.min.js").write_text("/*! jQuery v1.12.4 */ !function(a){}(window);\n", encoding="utf-8")
        (files / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
        (files / "counter.html").write_text("<html><body>访问量：12345 主办单位：某某县人民政府办公室</body></html>",
                                            encoding="utf-8")
    return page
