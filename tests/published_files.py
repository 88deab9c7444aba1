"""Published reports the tests make as real files, each named after what it exercises.

The text and HTML ones are committed in tests/fixtures/published/ (see the README there); the Word
one is written here with python-docx the way a clerk's Word table looks (cells merged across and
down, labels broken over lines), independently of the project's own export.
"""
from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "published"

# The figures of the Word report (2019 format), as a person would read them off the page.
WORD_2019_T3 = {
    "new": [6, 0, 1, 0, 0, 0, 7],
    "carried": [1, 0, 0, 0, 0, 0, 1],
    "result.open": [3, 0, 1, 0, 0, 0, 4],
    "result.partial": [1, 0, 0, 0, 0, 0, 1],
    "result.unable.not_held": [2, 0, 0, 0, 0, 0, 2],
    "result.other": [1, 0, 0, 0, 0, 0, 1],
    "result.total": [7, 0, 1, 0, 0, 0, 8],
    "forward": [0, 0, 0, 0, 0, 0, 0],
}
WORD_2019_T2 = {"t2.normative.new_made": 4, "t2.normative.new_published": 4, "t2.normative.total_published": 15,
                "t2.licensing.previous": 12, "t2.licensing.change": -2, "t2.licensing.decisions": 86,
                "t2.procurement.items": 3, "t2.procurement.amount": 45.6}
WORD_2019_T4 = {"t4.review.upheld": 1, "t4.review.total": 1}


def word_tables_merged_cells_2019(path: Path) -> Path:
    """城关镇人民政府 2020 report in Word: the unit on its own line above the title, tables with
    merged cells, labels broken over lines, 一、 headings."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("城关镇人民政府")
    doc.add_paragraph("2020年政府信息公开工作年度报告")
    doc.add_paragraph("本报告根据《中华人民共和国政府信息公开条例》要求编制。")
    doc.add_paragraph("一、总体情况")
    doc.add_paragraph("2020年，城关镇共受理政府信息公开申请7件，其中上年结转1件。")
    doc.add_paragraph("二、主动公开政府信息情况")
    _t2(doc)
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    _t3(doc)
    doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    _t4(doc)
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph("（一）存在问题")
    doc.add_paragraph("信息公开的及时性有待提高。")
    doc.add_paragraph("六、其他需要报告的事项")
    doc.add_paragraph("无")
    doc.save(path)
    return path


def _set(cell, text) -> None:
    """A cell's text, a line break at each \\n as a new paragraph (as Word users type labels)."""
    lines = str(text).split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _row(table, r: int, cells: list) -> None:
    for c, text in enumerate(cells):
        if text is not None:
            _set(table.cell(r, c), text)


def _t2(doc) -> None:
    blocks = [
        ("第二十条第（一）项", ["信息内容", "本年新\n制作数量", "本年新\n公开数量", "对外公开\n总数量"],
         [["规章", 0, 0, 0], ["规范性文件", 4, 4, 15]]),
        ("第二十条第（五）项", ["信息内容", "上一年\n项目数量", "本年增/减", "处理决定\n数量"],
         [["行政许可", 12, -2, 86], ["其他对外管理服务事项", 0, 0, 0]]),
        ("第二十条第（六）项", ["信息内容", "上一年\n项目数量", "本年增/减", "处理决定\n数量"],
         [["行政处罚", 0, 0, 0], ["行政强制", 0, 0, 0]]),
        ("第二十条第（八）项", ["信息内容", "上一年\n项目数量", "本年增/减"], [["行政事业性收费", 0, 0]]),
        ("第二十条第（九）项", ["信息内容", "采购\n项目数量", "采购总金额"], [["政府集中采购", 3, 45.6]]),
    ]
    rows = sum(2 + len(b[2]) for b in blocks)
    table = doc.add_table(rows=rows, cols=4)
    table.style = "Table Grid"
    r = 0
    for heading, header, data in blocks:
        table.cell(r, 0).merge(table.cell(r, 3))
        _set(table.cell(r, 0), heading)
        r += 1
        for row_cells in [header] + data:
            if len(row_cells) == 3:  # the last column spans two
                table.cell(r, 2).merge(table.cell(r, 3))
            _row(table, r, row_cells)
            r += 1


def _t3(doc) -> None:
    from toolkit.core.formats import get_format  # only to know how many rows to draw, not their labels

    rows = len(get_format("2019").table("t3").rows)
    table = doc.add_table(rows=3 + rows, cols=10)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(2, 2))
    _set(table.cell(0, 0), "（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）")
    table.cell(0, 3).merge(table.cell(0, 9))
    _set(table.cell(0, 3), "申请人情况")
    table.cell(1, 3).merge(table.cell(2, 3))
    _set(table.cell(1, 3), "自然人")
    table.cell(1, 4).merge(table.cell(1, 8))
    _set(table.cell(1, 4), "法人或其他组织")
    table.cell(1, 9).merge(table.cell(2, 9))
    _set(table.cell(1, 9), "总计")
    _row(table, 2, [None, None, None, None, "商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他"])
    labels = [
        ("一、本年新收政府信息公开申请数量", "new"), ("二、上年结转政府信息公开申请数量", "carried"),
        ("（一）予以公开", "result.open"), ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result.partial"),
        *[(f"{i}.{t}", f"denied{i}") for i, t in enumerate(
            ["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
             "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"], 1)],
        ("1.本机关不掌握相关政府信息", "result.unable.not_held"), ("2.没有现成信息需要另行制作", ""),
        ("3.补正后申请内容仍不明确", ""),
        ("1.信访举报投诉类申请", ""), ("2.重复申请", ""), ("3.要求提供公开出版物", ""),
        ("4.无正当理由大量反复申请", ""), ("5.要求行政机关确认或重新出具已获取信息", ""),
        ("（六）其他处理", "result.other"), ("（七）总计", "result.total"), ("四、结转下年度继续办理", "forward"),
    ]
    for i, (label, key) in enumerate(labels):
        r = 3 + i
        numbers = WORD_2019_T3.get(key, [0] * 7)
        if key in ("new", "carried", "forward"):
            table.cell(r, 0).merge(table.cell(r, 2))
            _row(table, r, [label, None, None, *numbers])
        elif label.startswith("（"):
            table.cell(r, 1).merge(table.cell(r, 2))
            _row(table, r, [None, label, None, *numbers])
        else:
            _row(table, r, [None, None, label, *numbers])
    table.cell(5, 0).merge(table.cell(3 + len(labels) - 2, 0))
    _set(table.cell(5, 0), "三、本年度\n办理结果")
    for first, last, text in ((7, 14, "（三）\n不予公开"), (15, 17, "（四）\n无法提供"), (18, 22, "（五）\n不予处理")):
        table.cell(first, 1).merge(table.cell(last, 1))
        _set(table.cell(first, 1), text)
    assert rows == len(labels)


def _t4(doc) -> None:
    table = doc.add_table(rows=4, cols=15)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(0, 4))
    _set(table.cell(0, 0), "行政复议")
    table.cell(0, 5).merge(table.cell(0, 14))
    _set(table.cell(0, 5), "行政诉讼")
    leaves = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
    for c, text in enumerate(leaves):
        table.cell(1, c).merge(table.cell(2, c))
        _set(table.cell(1, c), text)
    table.cell(1, 5).merge(table.cell(1, 9))
    _set(table.cell(1, 5), "未经复议直接起诉")
    table.cell(1, 10).merge(table.cell(1, 14))
    _set(table.cell(1, 10), "复议后起诉")
    _row(table, 2, [None] * 5 + leaves * 2)
    _row(table, 3, [1, 0, 0, 0, 1] + [0] * 10)
