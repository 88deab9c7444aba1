"""The format descriptions are complete and say what the official formats say."""
import re

import pytest

from toolkit.core.formats import VERSIONS, common, get_format

T3_ROWS_COMMON = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
    "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
]
T3_OTHER_2021 = [
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
]
T3_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T4_COLUMNS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
T2 = {
    "2021": (["规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费"],
             ["本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额（单位：万元）"]),
    "2019": (["规章", "规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费",
              "政府集中采购"],
             ["本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "处理决定数量",
              "采购项目数量", "采购总金额"]),
}


@pytest.mark.parametrize("version", VERSIONS)
def test_table_three_has_every_official_row_and_column(version):
    t3 = get_format(version).table("t3")
    leaves = [r.labels[-1] for r in t3.rows]
    expected = T3_ROWS_COMMON + (T3_OTHER_2021 if version == "2021" else ["（六）其他处理"]) + ["（七）总计",
                                                                                            "四、结转下年度继续办理"]
    assert leaves == expected
    assert [c.labels[-1] for c in t3.columns] == T3_COLUMNS
    assert t3.note == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    groups = {r.labels[1] for r in t3.rows if len(r.labels) == 3}
    assert groups == {"（三）不予公开", "（四）无法提供", "（五）不予处理"} | (
        {"（六）其他处理"} if version == "2021" else set())


@pytest.mark.parametrize("version", VERSIONS)
def test_table_four_has_fifteen_numbers_in_three_groups(version):
    t4 = get_format(version).table("t4")
    assert [c.labels[-1] for c in t4.columns] == T4_COLUMNS
    assert {c.labels[-2] for c in t4.columns} == {"行政复议", "未经复议直接起诉", "复议后起诉"}


@pytest.mark.parametrize("version", VERSIONS)
def test_table_two_rows_columns_and_kinds(version):
    fmt = get_format(version)
    t2 = fmt.table("t2")
    rows, columns = T2[version]
    assert [r.labels[-1] for r in t2.rows] == rows
    assert list(dict.fromkeys(c.labels[-1] for c in t2.columns)) == columns
    kinds = {cid: c.kind for cid, c in fmt.cells.items() if c.table == "t2"}
    if version == "2021":
        assert kinds["t2.fees.amount"] == "money"
        assert {k for k, v in kinds.items() if v != "count"} == {"t2.fees.amount"}
    else:
        assert kinds["t2.procurement.amount"] == "money"
        assert {k for k, v in kinds.items() if v == "signed"} == {
            f"t2.{r}.change" for r in ("licensing", "other_services", "penalty", "enforcement", "fees")}
    assert [b.heading for b in t2.blocks][:3] == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项"]


@pytest.mark.parametrize("version", VERSIONS)
def test_cell_ids_are_stable_ascii_and_totals_are_marked(version):
    fmt = get_format(version)
    assert all(re.fullmatch(r"t[234](\.[a-z_]+)+", cid) for cid in fmt.cells)
    assert "t3.new.natural" in fmt.cells
    assert "t3.result.denied.state_secret.total" in fmt.cells
    totals = set(fmt.total_cells)
    assert {f"t3.{r.id}.total" for r in fmt.table("t3").rows} <= totals
    assert {f"t3.result.total.{c.id}" for c in fmt.table("t3").columns} <= totals
    assert {"t4.review.total", "t4.direct.total", "t4.after_review.total"} <= totals
    assert "t3.forward.natural" not in totals  # 四、结转 is entered, and checked by T3-BALANCE


@pytest.mark.parametrize("version", VERSIONS)
def test_every_rule_has_code_severity_and_message_with_both_values(version):
    fmt = get_format(version)
    codes = {rel.rule.code for rel in fmt.relations} | {r.code for r in fmt.level_rules}
    assert {"T3-BALANCE", "T3-ROW-TOTAL", "T3-RESULT-TOTAL", "T4-TOTAL", "Y-CARRIED", "P-RULES-LEVEL"} <= codes
    assert ("Y-IN-FORCE" in codes) == (version == "2021")
    for rel in fmt.relations:
        assert rel.rule.severity in ("错误", "提示")
        assert "{reported}" in rel.rule.message and "{computed}" in rel.rule.message
    severity = {rel.rule.code: rel.rule.severity for rel in fmt.relations}
    assert severity["T3-BALANCE"] == "错误"
    if version == "2021":
        assert severity["Y-IN-FORCE"] == "提示"


def test_common_parts():
    c = common()
    assert {"乡镇", "街道", "县级部门", "县政府"} <= set(c.levels)
    assert [f.label for f in c.info_fields][:6] == ["单位名称", "单位层级", "年度", "填报人", "联系电话", "填报日期"]
    assert c.kinds["signed"].minimum is None and c.kinds["money"].integer is False


def test_parts_in_official_order():
    for version in VERSIONS:
        headings = [p.heading for p in get_format(version).parts]
        assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                            "六、其他需要报告的事项"]


def test_mixed_format_maps_cover_tables_three_and_four_cell_by_cell():
    from toolkit.core.formats import cell_map
    for source, target in (("2019", "2021"), ("2021", "2019")):
        m = cell_map(source, target)
        src, dst = get_format(source), get_format(target)
        for cid, to in m.cells.items():
            assert src.cells[cid].table == dst.cells[to].table
            assert src.cells[cid].column.id == dst.cells[to].column.id  # the same column, always
        # every cell of tables 三 and 四 goes somewhere; what does not is table 二 only
        assert all(cid.startswith("t2.") for cid in m.unmapped)
        assert {c for c in src.cells if c.startswith(("t3.", "t4."))} <= set(m.cells)
    forward = cell_map("2019", "2021")
    assert forward.cells["t3.result.other.natural"] == "t3.result.other.other.natural"
    assert forward.cells["t2.licensing.decisions"] == "t2.licensing.decisions"
    assert "t2.rules.new_made" in forward.unmapped and "t2.fees.amount" in forward.uncovered
    assert forward.describe() == ["2019年版表三“（六）其他处理”行（各列）计入2021年版表三“（六）其他处理 3.其他”行（各列）"]
    backward = cell_map("2021", "2019")
    assert {backward.cells[f"t3.result.other.{r}.total"] for r in ("overdue_correction", "overdue_fee", "other")} \
        == {"t3.result.other.total"}
    assert cell_map("2021", "2021").cells == {c: c for c in get_format("2021").cells}


def test_every_unit_level_has_a_summary_level():
    c = common()
    assert set(c.summary_of) == set(c.all_levels) - {c.summary_levels[-1]}
    assert set(c.summary_of.values()) <= set(c.summary_levels)
