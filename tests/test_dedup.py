"""Repost detection: simhash64, hamming, is_near_duplicate and band keys."""

from __future__ import annotations

import random

import pytest

from aidetl.dedup import (
    bands,
    from_signed,
    hamming,
    is_near_duplicate,
    normalise,
    simhash64,
    to_signed,
)

# Our own sample story (not from shared/): a company's rural aid report.
STORY = """
2019年以来，星河通信公司累计向云岭县投入帮扶资金3200万元，建成光纤网络覆盖全部87个行政村，
行政村4G信号通达率达到98%。公司先后选派12名干部驻村，协助村里发展茶叶、核桃和中药材产业，
带动1900户贫困户稳定增收。

在云岭县东坡村，过去村民卖茶叶只能等收购商上门，价格一压再压。网络开通以后，村里办起了电商服务站，
年轻人在网上直播采茶制茶，去年一年卖出干茶4万多斤，销售额超过600万元，比上一年翻了一番。

为了让孩子们享受更好的教育，公司还为全县23所乡村学校接入了远程课堂，城里名师每周给山里孩子上课。
县教育局负责人介绍，接入远程课堂的学校，学生的语文和数学平均成绩提高了近10分。

下一步，星河通信公司计划再投入1500万元，在云岭县建设智慧农业示范基地，帮助更多农户用上物联网设备，
让“靠天吃饭”变成“看数据种地”。
"""

# A different article on the same topic: another company, another county, similar words.
OTHER = """
近年来，远山电力集团坚持把乡村振兴作为重要政治任务，在石门县实施电网升级改造工程，
新建和改造10千伏线路286公里，解决了山区群众用电难的问题。集团还设立专项资金800万元，
扶持当地发展光伏发电和竹编加工产业，为村集体每年增加收入30余万元。

石门县竹林村的竹编合作社里，几十名妇女正在赶制一批出口订单。合作社负责人说，
以前村里缺电，机器开不起来，现在电力稳定了，订单做得完，村民在家门口就能挣到工资。

集团还组织员工开展消费帮扶，全年购买当地农产品210万元，并通过企业食堂和工会渠道长期采购。
"""


def edit(text: str, count: int, seed: int) -> str:
    """Replace `count` random CJK characters: what a repost's copy editor might change."""
    rng = random.Random(seed)
    chars = list(text)
    positions = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for i in rng.sample(positions, count):
        chars[i] = "的" if chars[i] != "的" else "了"
    return "".join(chars)


def repost(text: str, count: int = 2, seed: int = 0) -> str:
    header = "来源：某某日报 2020年03月02日 作者：本报记者\n原标题：通信扶贫见实效\n"
    footer = "\n（责任编辑：李明）\n本文转载自某某日报，版权归原作者所有，如有侵权请联系删除。"
    return header + edit(text, count, seed) + footer


def test_simhash_is_unsigned_64_bit_and_deterministic():
    """The fingerprint is a stable unsigned 64-bit integer."""
    h = simhash64(STORY)
    assert 0 <= h < 2**64
    assert h == simhash64(STORY)
    assert h != 0


def test_whitespace_and_punctuation_do_not_change_the_fingerprint():
    """Line breaks, spaces and punctuation are ignored."""
    squeezed = STORY.replace("\n", "").replace("，", ",").replace("。", " . ")
    assert normalise(squeezed) == normalise(STORY)
    assert simhash64(squeezed) == simhash64(STORY)


def test_empty_text_hashes_to_zero():
    """No body, no features: 0 (and punctuation alone counts as empty)."""
    assert simhash64("") == 0
    assert simhash64("，。！  \n") == 0


def test_repost_with_other_header_footer_is_near_duplicate():
    """A 转载 copy with its own credit lines and no edits hashes the same."""
    assert simhash64(repost(STORY, 0)) == simhash64(STORY)


def test_repost_with_a_few_edited_characters_is_near_duplicate():
    """Two changed characters in a short (600-character) story: near duplicate in most
    random trials, never far. Simhash noise grows as the text shrinks, so the floor is a
    rate over 40 trials rather than every trial (measured: 82%, worst 6 bits)."""
    distances = [hamming(simhash64(STORY), simhash64(repost(STORY, 2, seed))) for seed in range(40)]
    assert sum(d <= 3 for d in distances) >= 30
    assert max(distances) <= 8


def test_different_article_on_same_topic_is_not_near_duplicate():
    """Two aid stories sharing vocabulary are far apart."""
    distance = hamming(simhash64(STORY), simhash64(OTHER))
    assert distance > 10
    assert not is_near_duplicate(simhash64(STORY), simhash64(OTHER))


def test_hamming_counts_differing_bits():
    """hamming is the popcount of the xor."""
    assert hamming(0, 0) == 0
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(2**64 - 1, 0) == 64


def test_near_duplicates_share_a_band_key():
    """Pigeonhole: within 3 bits, at least one of the four 16-bit band keys is equal."""
    a = simhash64(STORY)
    for flips in ([0], [1, 30], [5, 21, 63]):
        b = a
        for bit in flips:
            b ^= 1 << bit
        assert set(bands(a)) & set(bands(b))


def test_band_keys_carry_their_index():
    """Key i is (i << 16) | slice i, so one index column serves all bands."""
    h = 0xFFFF_0000_1234_ABCD
    assert bands(h) == [0xABCD, (1 << 16) | 0x1234, (2 << 16) | 0x0000, (3 << 16) | 0xFFFF]
    assert len(bands(h, 7)) == 7
    with pytest.raises(ValueError):
        bands(h, 2)


def test_signed_round_trip_for_bigint_columns():
    """to_signed/from_signed keep all 64 bits."""
    for h in (0, 1, 2**63 - 1, 2**63, 2**64 - 1, simhash64(STORY)):
        assert from_signed(to_signed(h)) == h
        assert -(2**63) <= to_signed(h) < 2**63
