"""The regex grammar of figures: compiled constants, each with an example it matches.

All patterns run on normalize()d text (full-width digits mapped to ASCII, traditional
characters to simplified, one for one).
Every repetition is possessive or bounded, and numeral runs cannot start inside
another run, so matching stays linear on 1 MB of digits or of 万亿.
"""

from __future__ import annotations

import re

CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
CN_DIGIT_CHARS = "零〇一二两三四五六七八九"
FINANCIAL = "壹贰叁肆伍陆柒捌玖"
SPACE = r"[ \u00a0\u3000]?"

# Latin unit letters allowed right after digits ("10km", "5MW", "300kg"); other letters
# make the digits part of a name or code ("5G", "4K", "H5N1", "3D")
LATIN_UNITS = ("kWh", "MWh", "GWh", "km", "kg", "kW", "MW", "GW", "kV", "cm", "mm", "k")
_LATIN_UNIT = "|".join(LATIN_UNITS)

# one candidate numeral run: "1,600.5", "82，225.00" (full-width grouping only after 1–3 digits),
# "四千二百万", "十二点五", "百分之八十", "千分之三", "万分之三"
NUMERAL = re.compile(
    rf"(?P<pct>[百千万佰仟]分之)?(?P<neg>(?<=之)负)?"
    rf"(?:(?<![0-9A-Za-z_%=&])(?<![0-9][.,，])(?P<ar>"
    rf"[0-9]{{1,3}}(?:[,，][0-9]{{3}}(?![0-9]))++(?:\.[0-9]++)?+"
    rf"|[0-9]++(?:,[0-9]{{3}})*+(?:\.[0-9]++)?+)"
    rf"(?![0-9]|(?!(?:{_LATIN_UNIT})(?![A-Za-z]))[A-Za-z])"
    rf"|(?<![{CN_NUMERAL_CHARS}兆])(?P<cn>(?:[{CN_NUMERAL_CHARS.replace('千', '')}]|千(?![米克瓦伏卡]))++(?:点[{CN_DIGIT_CHARS}{FINANCIAL}]++[万亿]*+)?+))"
)

# a Chinese numeral right after a 零 that belongs to a word: "找零|一百三十五块"
NUMERAL_AFTER_ZERO = re.compile(rf"(?P<pct>)(?P<neg>)(?P<ar>)??(?P<cn>[{CN_NUMERAL_CHARS}]++)")
# what makes a leading 零 part of a number: digits or a magnitude before it ("兆零三百万")
NUMBER_BEFORE_ZERO = re.compile(rf"[0-9{CN_NUMERAL_CHARS}兆]$")

# magnitude after Arabic digits or after 余/多: "万", "万亿", "千万" (not the 千 of 千米/千瓦)
# ("18个亿": 个 before 万/亿; 兆 is 10^12 unless it starts 兆瓦, 兆赫…; "12k" is 12000)
MAGNITUDE = re.compile(
    rf"{SPACE}(?:个(?=[万亿]))?(?P<mag>(?:[百万亿佰]|[千仟](?![米克瓦伏卡])|兆(?![瓦赫帕字比位焦])"
    rf"|k(?![A-Za-z]))(?:[百万亿]|千(?![米克瓦伏卡])){{0,2}}+)"
)

# the smaller part of a compound number after 亿/万 ("3亿|5000万", "10万|5千", "1亿|零500万",
# "1亿|两千万"): Arabic digits (with 余/多 and a magnitude, or after 零) or a Chinese numeral
# starting with a digit and holding a unit character (checked by the reader)
COMPOUND_TAIL = re.compile(
    rf"(?P<zero>[零〇])?(?:(?P<ar>[0-9]++(?:,[0-9]{{3}})*+)(?![0-9.A-Za-z])"
    rf"|(?P<cn>[{CN_DIGIT_CHARS}](?:[{CN_DIGIT_CHARS}十百万亿]|千(?![米克瓦伏]))*+))"
)

# approximate marker between number and magnitude/unit: "1600余万", "40多万", "十余个"
APPROX = re.compile(r"[余多](?![年岁])")
# spoken approximations after a round numeral: "十几位" (over), "十来个人" (about)
SPOKEN_APPROX = re.compile(r"(?P<word>几|来)(?=[0-9]?[^0-9])")
# two neighbouring digits in a numeral make a spoken range: "七八十万" (70–80万), "五六千元",
# "十五六" (15–16), "七百三四十" (730–740), "三万四五千"
SPOKEN_PAIR = re.compile(r"(?P<lo>[一两二三四五六七八])(?P<hi>[二三四五六七八九])")
# a discount in tenths: "八折" (80%), "8.5折", "五五折" (55%) (not 折合, 折旧…)
DISCOUNT = re.compile(r"折(?![合算旧扣叠腾射返线价现让八])")
# a fraction read as a percentage: "1/3", "三分之一", "四分之三"
FRACTION = re.compile(
    r"(?<![0-9/.])(?<![0-9] )(?P<num>[1-9][0-9]?)/(?P<den>[1-9][0-9]?)(?![0-9/])"
    rf"|(?P<cden>[{CN_DIGIT_CHARS}十][{CN_DIGIT_CHARS}十百千]*+)分之"
    rf"(?P<cnum>[{CN_NUMERAL_CHARS}]++(?:点[{CN_DIGIT_CHARS}]++)?+)"
)
# colloquial jiao or fen after 块 at the end of a phrase: "三块|四", "三块|零四"
KUAI_CENTS = re.compile(
    rf"(?:零(?P<fen>[0-9{CN_DIGIT_CHARS}])|(?P<jiao>[0-9{CN_DIGIT_CHARS}]))"
    r"(?=[，。、；：！？,.;:!?）)\s的钱]|$)"
)
# jiao and fen after 元/块: "50元|6角三分", "一百三十五块|六角七分钱", "十块|三毛"
CENTS = re.compile(
    rf"(?:(?P<jiao>[0-9{CN_DIGIT_CHARS}{FINANCIAL}])[角毛毫])?"
    rf"(?:零?(?P<fen>[0-9{CN_DIGIT_CHARS}{FINANCIAL}])分(?!钟))?(?P<qian>钱)?"
)

# range separator followed by a second number: "2000至4000元", "2-6万元", "5～10亩"
RANGE_SEP = re.compile(r"%?(?:至|到|-|~|—|–)")

# measure words, units, and time words (which mean "not a figure"): "万元", "个百分点", "人次"
UNITS: dict[str, tuple[str, str] | None] = {
    # money
    "元人民币": ("CNY", "money"),
    "元钱": ("CNY", "money"),
    "块钱": ("CNY", "money"),
    "美分": ("USD", "money"),
    "人民币": ("CNY", "money"),
    "元": ("CNY", "money"),
    "美元": ("USD", "money"),
    "港元": ("HKD", "money"),
    "港币": ("HKD", "money"),
    "欧元": ("EUR", "money"),
    "日元": ("JPY", "money"),
    "英镑": ("GBP", "money"),
    "美金": ("USD", "money"),
    "蚊": ("HKD", "money"),
    "蚊子": None,
    "蚊虫": None,
    "蚊帐": None,
    "韩元": ("KRW", "money"),
    "澳元": ("AUD", "money"),
    "加元": ("CAD", "money"),
    "新台币": ("TWD", "money"),
    "台币": ("TWD", "money"),
    "卢布": ("RUB", "money"),
    "卢比": ("INR", "money"),
    "泰铢": ("THB", "money"),
    "新加坡元": ("SGD", "money"),
    "新元": ("SGD", "money"),
    "瑞士法郎": ("CHF", "money"),
    "澳门元": ("MOP", "money"),
    "越南盾": ("VND", "money"),
    "林吉特": ("MYR", "money"),
    "兰特": ("ZAR", "money"),
    "雷亚尔": ("BRL", "money"),
    "里拉": ("TRY", "money"),
    "坚戈": ("KZT", "money"),
    "比索": None,
    "法郎": None,
    "第纳尔": None,
    "迪拉姆": None,
    "克朗": None,
    "马克": None,
    "谢克尔": None,
    "里亚尔": None,
    "先令": None,
    "奈拉": ("NGN", "money"),
    "印度卢布": ("INR", "money"),
    "马来西亚令吉": ("MYR", "money"),
    "令吉": ("MYR", "money"),
    # percentages
    "%": ("percent", "percent"),
    "‰": ("permille", "percent"),
    "个百分点": ("percentage_point", "percent_point"),
    "百分点": ("percentage_point", "percent_point"),
    "个基点": ("basis_point", "percent_point"),
    "基点": ("basis_point", "percent_point"),
    # physical quantities
    "亩": ("mu", "area"),
    "英亩": ("acre", "area"),
    "英尺": ("ft", "length"),
    "英寸": ("inch", "length"),
    "英里": ("mile", "length"),
    "海里": ("nmi", "length"),
    "磅": ("lb", "weight"),
    "马赫": ("mach", "speed"),
    "节": ("knot", "speed"),
    "赫兹": ("Hz", "frequency"),
    "公顷": ("hectare", "area"),
    "平方公里": ("km2", "area"),
    "平方千米": ("km2", "area"),
    "平方米": ("m2", "area"),
    "平米": ("m2", "area"),
    "㎡": ("m2", "area"),
    "公里": ("km", "length"),
    "千米": ("km", "length"),
    "米": ("m", "length"),
    "吨": ("ton", "weight"),
    "公斤": ("kg", "weight"),
    "克": ("g", "weight"),
    "克拉": ("carat", "weight"),
    "毫克": ("mg", "weight"),
    "微克": ("ug", "weight"),
    "克服": None,
    "克隆": None,
    "厘米": ("cm", "length"),
    "公分": ("cm", "length"),
    "毫米": ("mm", "length"),
    "cm": ("cm", "length"),
    "mm": ("mm", "length"),
    "千卡": ("kcal", "energy"),
    "摄氏度": ("celsius", "temperature"),
    "华氏度": ("fahrenheit", "temperature"),
    "°C": ("celsius", "temperature"),
    "℃": ("celsius", "temperature"),
    "千克": ("kg", "weight"),
    "斤": ("jin", "weight"),
    "兆瓦": ("MW", "power"),
    "千瓦": ("kW", "power"),
    "吉瓦": ("GW", "power"),
    "千瓦时": ("kWh", "energy"),
    "度电": ("kWh", "energy"),
    "立方米": ("m3", "volume"),
    "千伏安": ("kVA", "power"),
    "千伏": ("kV", "voltage"),
    "kV": ("kV", "voltage"),
    "km": ("km", "length"),
    "kg": ("kg", "weight"),
    "kW": ("kW", "power"),
    "MW": ("MW", "power"),
    "GW": ("GW", "power"),
    "kWh": ("kWh", "energy"),
    "MWh": ("MWh", "energy"),
    "GWh": ("GWh", "energy"),
    # counts: measure word → generic unit (the counted noun may refine it)
    "个": ("item", "count"),
    "名": ("person", "count"),
    "人": ("person", "count"),
    "位": ("person", "count"),
    "户": ("household", "count"),
    "人次": ("person_time", "count"),
    "户次": ("household_time", "count"),
    "家": ("enterprise", "count"),
    "家庭": ("household", "count"),
    "所": ("institution", "count"),
    "套": ("set", "count"),
    "台": ("device", "count"),
    "口": ("item", "count"),
    "座": ("item", "count"),
    "条": ("item", "count"),
    "间": ("room", "count"),
    "栋": ("building", "count"),
    "头": ("head", "count"),
    "只": ("item", "count"),
    "株": ("plant", "count"),
    "棵": ("plant", "count"),
    "辆": ("vehicle", "count"),
    "件": ("item", "count"),
    "项": ("item", "count"),
    "项目": ("project", "count"),
    "批": ("batch", "count"),
    "场": ("event", "count"),
    "次": ("times", "count"),
    "张": ("item", "count"),
    "部门": ("department", "count"),
    "篇": ("article", "count"),
    "支": ("team", "count"),
    "处": ("site", "count"),
    "份": ("item", "count"),
    "种": ("item", "count"),
    "类": ("item", "count"),
    "款": ("product", "count"),
    "股": ("share", "count"),
    "手": ("lot", "count"),
    "宗": ("case", "count"),
    "起": ("case", "count"),
    "幢": ("building", "count"),
    "部": ("item", "count"),
    "层": ("floor", "count"),
    "粒": ("grain", "count"),
    "届": ("cohort", "count"),
    "注": ("bet", "count"),
    "本": ("book", "count"),
    "轮": ("round", "count"),
    "根": ("item", "count"),
    "块": ("piece", "count"),
    # multiples: "增长4.3倍"
    "倍": ("times", "multiple"),
    # time words: durations and dates are never figures
    "年": None,
    "个月": None,
    "月": None,
    "日": None,
    "天": None,
    "周": None,
    "周年": None,
    "小时": None,
    "个小时": None,
    "分钟": None,
    "秒": None,
    "季度": None,
    "个季度": None,
    "个工作日": None,
    "工作日": None,
    "岁": None,
    "个星期": None,
    "星期": None,
    "年度": None,
    "个多月": None,
    "个半月": None,
    "多月": None,
    "级": None,
    "号": None,
    "点": None,
    "时": None,
    "分": None,
    "代": None,
    "楼": None,
    # words that start with a measure character but are not one: "3种植", "2元旦"
    "种植": None,
    "种养": None,
    "种子": None,
    "元旦": None,
    "元宵": None,
    "元年": None,
    "元素": None,
    "条件": None,
    "条例": None,
    "处理": None,
    "处置": None,
    "支持": None,
    "支付": None,
    "批准": None,
    "只有": None,
    "只要": None,
    "名单": None,
    "台账": None,
    "口岸": None,
    "项目部": None,
    "场景": None,
    "期间": None,
    "人民": None,
    "位数": None,
    "位一体": None,
    "家子": None,
    "家渠": None,
    "家庄": None,
    "家屯": None,
    "家店": None,
    "家村": None,
    "家人": None,
    "家户": None,
    "份之": None,
    "个亿": None,
    "个万": None,
    "股东": None,
    "股份": None,
    "股权": None,
    "股价": None,
    "股票": None,
    "股指": None,
    "股民": None,
    "股市": None,
    "手机": None,
    "手段": None,
    "手续": None,
    "手工": None,
    "个交易日": None,
    "交易日": None,
    # words that start with one of the rarer measure characters
    "宗教": None,
    "宗旨": None,
    "宗族": None,
    "宗亲": None,
    "起来": None,
    "起步": None,
    "起点": None,
    "起价": None,
    "起始": None,
    "起码": None,
    "起止": None,
    "起飞": None,
    "起草": None,
    "起诉": None,
    "起到": None,
    "起初": None,
    "起源": None,
    "起伏": None,
    "起床": None,
    "起义": None,
    "起因": None,
    "起身": None,
    "部分": None,
    "部份": None,
    "部署": None,
    "部长": None,
    "部委": None,
    "部队": None,
    "部落": None,
    "部位": None,
    "部件": None,
    "部曲": None,
    "部级": None,
    "层次": None,
    "层面": None,
    "层级": None,
    "层层": None,
    "注册": None,
    "注意": None,
    "注重": None,
    "注入": None,
    "注明": None,
    "注销": None,
    "注资": None,
    "注射": None,
    "注释": None,
    "注定": None,
    "轮换": None,
    "轮流": None,
    "轮岗": None,
    "轮回": None,
    "轮胎": None,
    "轮船": None,
    "轮椅": None,
    "轮番": None,
    "根据": None,
    "根本": None,
    "根源": None,
    "根治": None,
    "块头": None,
    "节课": None,
    "节车": None,
    "节目": None,
    "节日": None,
    "节假": None,
    "节点": None,
    "节能": None,
    "节约": None,
    "节省": None,
    "节水": None,
    "节电": None,
    "节余": None,
    "节气": None,
    "节奏": None,
    "节前": None,
    "节后": None,
    "口之家": None,
    "口子": None,
    "倍数": None,
    "磅秤": None,
}
# words after 本 that make it "this" rather than a count of books: "3本地", "本届"
NOT_BOOK_AFTER = re.compile(
    "[地届次身来科土轮年市月周人省县村期金息外报网刊文着质领事部区镇单公行院校项案币位]"
)
# a word right before the number that makes 层/届 a position, not a count: "位于12层", "在5层"
ORDINAL_PLACE_BEFORE = re.compile(r"(?:在|于|到|至|住|楼|厦|座|栋|幢|号|区)$")
# what makes 届 name a meeting or a year's cohort, not a count: "十三届全国人大", "三中全会"
SESSION_AFTER = re.compile(
    r"(?:全国|人大|政协|中央|[一二三四五六七八九]中全会|全会|大会|会议|世|奥|亚|运|冬|夏)"
)
# money units that count hundredths of their currency: "3美分" is 0.03 USD
CENT_UNITS = frozenset({"美分"})
# a stock index level: "3686.92点", "3500-4000点" (a clock time is below 100: "8点")
INDEX_POINT = re.compile(r"点(?![钟半])")
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# the unit right after the number: "万元" → "元", "名", "个百分点", "%"
UNIT = re.compile(rf"{SPACE}(?P<unit>{_UNIT_ALTERNATION})")

# characters that can follow a numeral that starts a figure (unit, magnitude, 余/多, range…)
_FOLLOW = "".join(
    sorted(
        {u[0] for u, spec in UNITS.items() if spec is not None}
        | set("余多至到-~—–成点分百千万亿兆佰仟瓦克.,，/%几来折")
        | set(" \u00a0\u3000")
    )
)
# pre-scan: a run of numeral characters that could start a figure: "5600万" (+元), "十" (+余个);
# the leading character class lets the regex engine skip plain text quickly
# (the follow check is an optional group, never a failing one: a failing check would make
# finditer retry at every position inside a long run, which is quadratic)
# (a run is all digits or all Chinese numerals, so "统一1000元" still reaches "1000元")
CANDIDATE = re.compile(
    rf"[0-9{CN_NUMERAL_CHARS}](?:(?<=[0-9])[0-9]|(?<=[{CN_NUMERAL_CHARS}])[{CN_NUMERAL_CHARS}])*+"
    rf"(?P<ok>(?<=[万亿])|(?=[{re.escape(_FOLLOW)}]))?"
)


# currency symbols written before the digits: "￥300", "$25万"
CURRENCY_SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "＄": "USD"}
# letters before a dollar sign name another dollar: "HK$5亿" (unknown letters: no figure)
DOLLAR_PREFIX = re.compile(r"(?P<letters>[A-Za-z]{1,3})[$＄]$")
DOLLARS = {
    "US": "USD",
    "HK": "HKD",
    "NT": "TWD",
    "S": "SGD",
    "A": "AUD",
    "AU": "AUD",
    "C": "CAD",
    "CA": "CAD",
    "NZ": "NZD",
    "M": "MXN",
}

# a currency word written before the number: "人民币3.14", "港币500万", "美金100"
CURRENCY_WORD_BEFORE = re.compile(
    r"(?P<word>人民币|港币|港元|美金|美元|新台币|台币|欧元|日元|英镑|澳门元)[ \u00a0]?$"
)

# Chinese percentage with 成: "六成" → 60, "八成五" → 85 (not 成员, 成本…)
CHENG = re.compile(
    rf"{SPACE}成(?:{SPACE}(?P<tenth>[{CN_DIGIT_CHARS}](?![{CN_NUMERAL_CHARS}]))|(?P<half>半))?"
    rf"(?P<more>多)?(?![员本果为立就长功])"
)
# "半成" (5%), "十成" is read by CHENG
HALF_CHENG = re.compile(r"半成(?![员本果为立就长功品])")

# bound words written before the number, matched against the text just before it: "超", "约占",
# "约合人民币"
PREFIX_BOUND = re.compile(
    r"(?P<word>约占|约为|约有|约合|大约|大概|差不多|(?<![节制预公合条契相特签婉简违])约|超过|超出|"
    r"(?<!赶)超|逾|突破|不少于|不低于|不小于|至少|多于|大于|不高于|不多于|不大于|高于|接近|将近|近乎|"
    r"(?<![附最靠临])近|不到|不足|不超过|少于|小于|低于|跌破|未满|不满|(?<![人户次多少总件个岁分指基系倍函参变位页字票股家笔天期点无])数|上)"
    r"(?:了|有)?(?:人民币)?[ \u00a0]?$"
)
PREFIX_QUALIFIER = {
    "约占": "about",
    "约为": "about",
    "约有": "about",
    "约合": "about",
    "大约": "about",
    "大概": "about",
    "约": "about",
    "超过": "over",
    "超出": "over",
    "超": "over",
    "逾": "over",
    "突破": "over",
    "不少于": "over",
    "不低于": "over",
    "至少": "over",
    "多于": "over",
    "高于": "over",
    "大于": "over",
    "不小于": "over",
    "数": "over",
    "上": "over",
    "差不多": "about",
    "不高于": "under",
    "不多于": "under",
    "不大于": "under",
    "小于": "under",
    "跌破": "under",
    "近乎": "under",
    "接近": "under",
    "将近": "under",
    "近": "under",
    "不到": "under",
    "不足": "under",
    "不超过": "under",
    "少于": "under",
    "低于": "under",
    "未满": "under",
    "不满": "under",
}

# a mention that starts with its bound word (the bound may cover the next figure): "约350户"
LEADING_BOUND = re.compile(
    r"约|大约|大概|差不多|超|逾|突破|不少于|不低于|至少|接近|将近|近|不到|不足|不超过|不高于"
)

# bound words written after the unit: "70%以上", "300人左右"
SUFFIX_BOUND = re.compile(r"及以上|及以下|以上|以下|以内|左右|附近|上下(?![班游级楼车])|开外|有余")
SUFFIX_QUALIFIER = {
    "附近": "about",
    "上下": "about",
    "开外": "over",
    "有余": "over",
    "以上": "over",
    "以下": "under",
    "以内": "under",
    "左右": "about",
    "及以上": "over",
    "及以下": "under",
}

# vague or ordinal markers just before a numeral: "第二", "数十万", "几百", "前10名"
NOT_A_COUNT_BEFORE = re.compile(r"[第数几]$")
TOP_N_BEFORE = re.compile(r"(?<!前)前$")

# a numeral spelled with spaces, or the decimals of one: "一 百 五 十 个", "四点 五个百分点"
SPELLED_BEFORE = re.compile(rf"(?:[0-9{CN_NUMERAL_CHARS}点] |又)$")

# a range separator or a magnitude right after other digits: "第3-|5名", "2019至|2020",
# "1万|5千瓦" (the tail of a range or compound whose head was not read is not a figure)
RANGE_TAIL_BEFORE = re.compile(r"[0-9](?:[-~—–至到]|[万亿]零?)$")

# digits right after a magnitude that could not be summed: "1万|5", "1亿|零5"
DIGIT_NEXT = re.compile(r"零?[0-9]")

# a minus sign written before a rate or amount: "增长-3.2%", "（-5%）" (not "1-9", not a bullet)
MINUS_BEFORE = re.compile(r"(?:(?<=[\u4e00-\u9fff：:（(、，,；;])[-−]|^[-−]|负|零下)$")

# a ranking earlier in the clause makes 名/位 a rank, not people: "名列17-32名", "排名前3位"
RANK_BEFORE = re.compile(r"(?:排名|名列|位列|位居|排在|排行|排位|名次|榜)[^，。；！？,;!?]{0,12}$")
# …or right after it: "17-32名排位赛", "7位号码"
RANK_AFTER = re.compile(r"(?:排位|排名|名次|位次|号码|数字|密码)")

# digits that end an index name: "沪深300股指", "中证500", "标普500"
NAME_BEFORE = re.compile(r"(?:沪深|中证|上证|深证|创业板|科创|恒生|标普|纳斯达克|道琼斯)$")
# a Latin word and a space before a count's digits: a name ("S Club 7口水歌", "Top 10个")
LATIN_WORD_BEFORE = re.compile(r"[A-Za-z][ \u00a0]$")

# 多 after a measurement unit means "a bit more": "1米多高", "100斤多" (not 多家, 多种…)
UNIT_APPROX = re.compile(r"多(?![个处项种名家次人户位样少万亿元])")
# kinds of physical measurement; a concentration of one is not a figure ("35微克/立方米"),
# a rate per time is ("300万吨/年": the context reads its per)
PHYSICAL_KINDS = frozenset({"weight", "length", "area", "volume", "energy", "power", "speed"})
CONCENTRATION_AFTER = re.compile(r"/(?:立方米|立方|毫升|升|平方米|m3|L\b|千克|公斤|kg)")
# half a unit more after a measurement: "两米半", "三斤半" (not 半年, 半小时…)
UNIT_HALF = re.compile(r"半(?![年月天日小个钟分秒季周天])")
# …and after a percentage only when the clause ends: "14%多，"
PERCENT_APPROX = re.compile(r"多(?=[，。、；：！？,;:!?）)\s]|$)")

# after a measure word: a time noun makes it a duration: "3个多月", "两个半小时"
DURATION_AFTER = re.compile(
    r"[多半]?(?:月|小时|星期|礼拜|工作日|交易日|季度|年头|钟头|学期|周|日(?!本)|天|夜|晚上)"
)

CLAUSE_BREAK = re.compile(r"[。！？；;，,\n]")
PARENTHETICAL = re.compile(r"（[^（）]{0,80}）|\([^()]{0,80}\)")

# idioms and names built from numerals, never figures: "千家万户", "三位一体", "七台河"
IDIOM = re.compile(
    "最后一百米|成千上万|成百上千|判若两人|四人帮|一个好汉三个帮|行百里者半九十|百县千村|千家万户|千难万难|千方百计|一鼓作气|最后一公里|"
    "三位一体|三人行|万无一失|百里挑一|十全十美|三番五次|四面八方|五湖四海|七上八下|"
    "千军万马|千山万水|千辛万苦|万众一心|三令五申|一五一十|七台河|五台山|五台县|三台县|九台|"
    "小两口|七折八扣|以防万一|万一|四起(?![案事])|棵树镇|棵树乡|棵松|三区三州|两不愁三保障|十三五|十四五|十二五|十五五|一成不变|百分百|万元户|三座大山|"
    "一传十|十传百|百花齐放|百家争鸣|千里|万里|三五成群|九牛一毛|一石二鸟|一举两得"
)

# counted nouns and their canonical unit, longest first in the alternation: "贫困村" → village
NOUNS: dict[str, str | None] = {
    # modifiers that contain a noun character but are not the counted noun
    "农村": None,
    "村级": None,
    "县级": None,
    "乡村": None,
    "县域": None,
    "县城": None,
    "村镇": None,
    "乡镇级": None,
    "县": "county",
    "区县": "county",
    "村": "village",
    "行政村": "village",
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "贫困户": "household",
    "农户": "household",
    "家庭": "household",
    "人口": "person",
    "群众": "person",
    "农民": "person",
    "村民": "person",
    "员工": "person",
    "职工": "person",
    "干部": "person",
    "党员": "person",
    "学生": "person",
    "教师": "person",
    "老师": "person",
    "医生": "person",
    "志愿者": "person",
    "人员": "person",
    "专家": "person",
    "儿童": "person",
    "老人": "person",
    "工人": "person",
    "劳动力": "person",
    "贫困人口": "person",
    "居民": "person",
    "游客": "person",
    "网民": "person",
    "人才": "person",
    "学员": "person",
    "患者": "person",
    "校园": "campus",
    "学校": "school",
    "小学": "school",
    "中学": "school",
    "幼儿园": "school",
    "岗位": "job",
    "就业岗位": "job",
    "企业": "enterprise",
    "公司": "company",
    "合作社": "cooperative",
    "党组织": "organization",
    "组织": "organization",
    "机构": "organization",
    "社会组织": "organization",
    "项目": "project",
    "工程": "project",
    "用户": "user",
    "客户": "user",
    "大棚": "greenhouse",
    "温室": "greenhouse",
    "系统": "system",
    "平台": "platform",
    "部门": "department",
    "基站": "base_station",
    "医院": "hospital",
    "卫生室": "clinic",
    "卫生院": "clinic",
    "服务点": "site",
    "服务站": "site",
    "站点": "site",
    "网点": "site",
    "车间": "workshop",
    "产品": "product",
    "基地": "base",
    "园区": "park",
    "课程": "course",
    "设备": "device",
    "电脑": "computer",
    "家庭农场": "farm",
    "村道": "road",
    "道路": "road",
    "公路": "road",
    "村路": "road",
    "农场": "farm",
    "商户": "merchant",
    "店铺": "shop",
    "网店": "shop",
    "门店": "shop",
    "班级": "class",
    "教室": "classroom",
    "图书": "book",
    "宽带用户": "user",
    "人": "person",
    "法人": "organization",
    "牛": "head",
    "羊": "head",
    "猪": "head",
    "生猪": "head",
    "鸡": "head",
    "鸭": "head",
    "鹅": "head",
    "兔": "head",
    "鸟": "head",
    "牲畜": "head",
    "家禽": "head",
    "肉牛": "head",
    "奶牛": "head",
    "蛋鸡": "head",
    "士兵": "person",
    "股票": "stock",
    "个股": "stock",
    "城市": "city",
    "食堂": "canteen",
    "省份": "province",
    "省市": "province",
    "省区": "province",
}
_NOUN_ALTERNATION = "|".join(sorted(NOUNS, key=len, reverse=True))
# a counted noun: "贫困村" → village (modifiers such as 农村 map to None and are skipped)
NOUN = re.compile(_NOUN_ALTERNATION)
# where the phrase after a measure word ends (the counted noun must come before it): "，", "在"
PHRASE_STOP = re.compile(
    rf"[0-9{CN_NUMERAL_CHARS}为是在了和与向对从被把将给让及或并，。、；：！？,.;:!?()（）“”\"'\s]"
)
# the counted noun right before the number: "贫困村119个", "智慧校园200余个"
NOUN_BEFORE = re.compile(
    rf"(?P<noun>{_NOUN_ALTERNATION})[^0-9，。、；：！？,.;:!?()（）\s]{{0,2}}$"
)
# the counted noun written right before a bare magnitude number: "用户超过1.2亿"
NOUN_JUST_BEFORE = re.compile(rf"(?P<noun>{_NOUN_ALTERNATION})$")
# money words shortly before a bare "3.2亿" (no 元 written): "投入资金3.2亿", "市值蒸发1.35万亿"
MONEY_BEFORE = re.compile(
    r"(?:资金|投资|投入|捐赠|捐款|捐助|善款|收入|销售额|营收|营业额|产值|金额|资产|利润|成本|"
    r"费用|补贴|补助|贷款|融资|市值|成交额|成交|总额|奖金|税收|预算|采购|购买|募集|筹集|GDP|"
    r"年薪|月薪|工资|薪酬|花了|亏了|亏损|赚了|挣了|增资|偿还额|存款|余额|赔偿|罚款|售价|价格|估值)"
    r"[^0-9，。；：！？,.;:!?\s]{0,8}$"
)
# money words right after a bare "500万" (no 元 written): "500万大奖", "20多万的存款", "13万亿的资产"
MONEY_AFTER = re.compile(
    r"(?:之巨)?的?[^0-9，。；：！？,.;:!?\s]{0,6}?"
    r"(?:资金|资产|存款|奖金|大奖|巨奖|账户|利息|收入|价格|工资|年薪|投资|现金|贷款|费用|市值|高薪|"
    r"善款|捐款|利润|营收|融资|净利)"
)
# a count word just before a bare "3亿": what follows is a count, not money ("用户数达3亿")
COUNT_WORD_BEFORE = re.compile(
    r"(?:数|量|人|户|次|用户|人口|粉丝|网民)[达为是有至约近超逾（(]{0,2}$"
)
# a magnitude inside a mention: "88.9亿元", "211.28万平米"
MAGNITUDE_WORD = re.compile(r"[万亿]")
# where a sentence ends: "。", "！", "？", a line break
SENTENCE_END = re.compile(r"[。！？!?\n]")
# an integer written with a leading zero: "00", "05" (not "0.5")
LEADING_ZERO = re.compile(r"0[0-9]")
# a clause boundary or end right after a measure word (the noun, if any, came before)
PHRASE_END = re.compile(r"[，。、；：！？,.;:!?()（）\s]|$")
