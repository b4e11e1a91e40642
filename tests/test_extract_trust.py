"""The context fields an analyst builds on, on sentences shaped like real reporting: whole
place names, organisations by their role, periods per clause, plans across a comma, rates
and prices with what they are per, summable, and where each attribution came from."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aidetl.extract import extract_facts
from aidetl.models import Fact

PUBLISHED = datetime(2020, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))


def fact(text: str, mention: str, published: datetime | None = PUBLISHED) -> Fact:
    facts = extract_facts(text, published)
    start = text.index(mention)
    return next(f for f in facts if f.start <= start < f.end)


def test_a_place_inside_a_longer_word_is_not_a_place():
    """黄浦江 is a river (not 浦江县), 延安东路 a road (not 延安市), 黄石国家公园 a park abroad."""
    assert fact("沿黄浦江两岸建成绿道45公里。", "45公里").place_code is None
    assert fact("公司位于延安东路，去年营收12亿元。", "12亿元").place_code is None
    assert fact("在黄石国家公园拍摄的影片票房3亿元。", "3亿元").place_code is None


def test_a_place_must_resolve_to_a_code():
    """朝阳区 is a district of several cities: no code, so no place."""
    got = fact("朝阳区今年投入帮扶资金5000万元。", "5000万元")
    assert (got.place, got.place_code) == (None, None)


def test_respectively_pairs_each_figure_with_its_own_organisation():
    """携程、途牛…分别为356亿元和22亿元: one each, in order."""
    text = "2019年，携程、途牛的营收分别为356亿元和22亿元。"
    assert [fact(text, m).subject for m in ("356亿元", "22亿元")] == ["携程", "途牛"]


def test_a_quoted_source_is_not_the_subject():
    """工信部发布名单: the list's figures are not the ministry's own."""
    text = "近日，工信部发布2021年度绿色制造名单，我省15家企业入选国家级绿色工厂。"
    assert fact(text, "15家").subject is None


def test_a_speakers_organisation_is_not_the_subject_of_industry_figures():
    text = "中国半导体行业协会副理事长魏少军表示，2018年中国集成电路设计业销售收入为2519.3亿元。"
    assert fact(text, "2519.3亿元").subject is None


def test_an_earlier_sentences_subject_is_not_carried_onto_a_figure_with_its_own():
    text = "中国国际金融有限公司发布报告。2005年一季度，投资增长率变成了22.8%。"
    assert fact(text, "22.8%").subject is None


def test_a_subjectless_sentence_continues_the_one_before():
    text = "2019年，中国联通云南公司加大帮扶力度。全年投入帮扶资金2100万元。"
    got = fact(text, "2100万元")
    assert (got.subject, got.subject_from) == ("中国联通云南公司", "previous_sentence")


def test_a_bare_month_takes_the_year_written_before_it():
    """2004年9月开工，10月初完成…: October 2004, not September."""
    got = fact("该项目2004年9月开工，10月初完成投资3000万元。", "3000万元")
    assert (got.period_start, got.period_end) == (date(2004, 10, 1), date(2004, 10, 31))


def test_a_compared_figure_has_the_compared_period_and_metric():
    text = "2018年中国集成电路设计业销售收入为2519.3亿元，比2017年的2073.5亿元增长21.5%。"
    first, compared, growth = (fact(text, m) for m in ("2519.3亿元", "2073.5亿元", "21.5%"))
    assert [f.period_start.year for f in (first, compared, growth)] == [2018, 2017, 2018]  # type: ignore[union-attr]
    assert (compared.metric, growth.metric) == ("sales", "growth_rate")


def test_a_lunar_date_resolves_to_its_day():
    got = fact("2001年农历除夕夜，他获得了500万元的大奖。", "500万元", None)
    assert (got.period_start, got.period_end) == (date(2001, 1, 23), date(2001, 1, 23))


def test_a_plan_reaches_across_the_comma():
    """预计到2025年末，…; 未来3年内，将…: planned, though the cue sits in another clause."""
    assert fact("预计到2025年末，全省光伏装机将达到500万千瓦。", "500万千瓦").planned
    assert fact("未来3年内，中国联通将投入50亿元。", "50亿元").planned
    assert not fact("2019年，中国联通投入50亿元。", "50亿元").planned


def test_what_is_today_under_a_plan_is_not_planned():
    text = "东风本田计划将产能从目前3万辆在2006年扩至12万辆。"
    assert not fact(text, "3万辆").planned
    assert fact(text, "12万辆").planned


def test_rates_and_prices_say_what_they_are_per():
    assert fact("上网电价为0.328元/千瓦时。", "0.328元").per == "kWh"
    assert fact("每兆瓦时280元的补贴已发放。", "280元").per == "MWh"
    assert fact("目前均价8500元／平方米。", "8500元").per == "m2"
    assert fact("全村人均收入12000元。", "12000元").per == "person"
    assert fact("每年奖励9名教师，每人5000元。", "9名").per == "year"
    assert fact("每年奖励9名教师，每人5000元。", "5000元").per == "person"
    assert fact("中国移动捐赠扶贫资金2000万元。", "2000万元").per is None


def test_summable_is_the_subjects_own_flow_done_once():
    text = "2019年，中国移动向凉山州捐赠扶贫资金2000万元。"
    got = fact(text, "2000万元")
    assert (got.summable, got.subject, got.subject_from) == (True, "中国移动", "clause")
    for text, mention in (
        ("截至2019年底，中国农业银行扶贫贷款余额2.4万亿元。", "2.4万亿元"),  # a balance
        ("上网电价为0.328元/千瓦时。", "0.328元"),  # a price
        ("中国移动将在未来三年内投入50亿元。", "50亿元"),  # a plan
        ("五年来，中国移动累计捐赠扶贫资金12亿元。", "12亿元"),  # a running total
        ("2019年中国在线旅游市场规模为110.7亿元。", "110.7亿元"),  # a market's size
    ):
        assert not fact(text, mention).summable, text


def test_a_figure_told_again_is_summable_once():
    text = "2019年，腾讯捐赠1亿元。腾讯捐赠1亿元，用于建设学校。"
    first, again = (f for f in extract_facts(text, PUBLISHED) if f.kind == "money")
    assert (first.summable, again.summable) == (True, False)


def test_the_article_place_fills_figures_that_name_none():
    """A story about 台江县 (most place mentions lie there): a figure whose sentence names no
    place is 台江县's, from the article."""
    text = (
        "陈立群来到贵州黔东南州台江县。台江县是国家级贫困县。台江民中是台江县唯一的高中。"
        "他在台江奖励了9名教师。台江县教育局表示感谢。学生人数增加了300名。"
    )
    got = fact(text, "300名")
    assert (got.place_code, got.place_from) == ("522630", "article")


def test_a_national_story_naming_a_few_cities_has_no_article_place():
    text = "北京一位机构人士表示，股市回暖。浙江资金参与。全天成交6481亿元。"
    assert fact(text, "6481亿元").place_code is None


def test_provenance_of_clause_level_context():
    got = fact("2019年，中国移动向凉山州捐赠扶贫资金2000万元。", "2000万元")
    assert (got.subject_from, got.place_from, got.period_from) == ("clause", "clause", "sentence")
