"""Generator for the demo newsroom under src/aidetl/newsroom (a helper, not a test).

The committed pages are its output; rerun after editing the texts below:
    .venv/bin/python tests/newsroom_build.py
The articles were written for the demo: the organisations and places are real, the
events, quotes and figures are invented. GBK pages (*.gbk.html) are written as GBK bytes.
"""

import json
import re
import shutil
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

OUT = Path(__file__).resolve().parents[1] / "src" / "aidetl" / "newsroom"


def fig(text, value, unit, kind, qualifier="exact", value_max=None):
    d = {"text": text, "value": value, "unit": unit, "kind": kind, "qualifier": qualifier}
    if value_max is not None:
        d["value_max"] = value_max
    return d


ARTICLES = [
    dict(
        key="a1",
        path="/articles/2020/0227-telecom-liangshan.html",
        template="a",
        title="中国电信四川公司：光纤通到彝家村寨 信息扶贫打通“最后一公里”",
        published="2020-02-27 21:37",
        outlet="川西日报",
        author="本报记者 李晓川",
        editor="王敏",
        meta_pubdate=True,
        paras=[
            "记者从中国电信四川公司获悉，2017年以来，该公司在凉山彝族自治州累计投入网络建设资金超12亿元，新建4G基站2860个，铺设光缆1.8万公里。截至目前，全州2072个贫困村实现光纤宽带和4G网络全覆盖，贫困村通宽带的比例由三年前的不足四成提升到100%。",
            "凉山州地处“三区三州”深度贫困地区，下辖的11个贫困县大多山高谷深，不少村落距县城超过80公里。“过去要打个电话，得爬到山顶找信号。”昭觉县三岔河镇三河村第一书记告诉记者，如今村里的年轻人用手机直播卖花椒、卖土豆，旺季一个月能多挣2000至4000元，外出务工的人也能随时和家里视频通话。",
            "为破解“建得起、用不起”的难题，中国电信四川公司面向建档立卡贫困户推出专属扶贫套餐，月资费最低8元，比普通套餐便宜约70%。截至2019年底，全州已有8078户贫困家庭办理，公司累计让利逾3600万元。公司还在盐源县、木里藏族自治县建成电商服务站35个，先后培训农村电商带头人两百多名，帮助当地苹果、核桃、花椒等农产品走出大山。",
            "教育信息化是信息扶贫的另一条主线。四川公司为凉山州432所村小和教学点开通“专递课堂”，让山里孩子与成都的名校同上一堂课，受益学生34681名；同时向当地学校捐赠平板电脑450套、多媒体教室设备120套，总价值人民币3000万元。两年来，公司组织技术人员下乡开展手机应用培训，累计培训2.6万人次。",
            "中国电信四川公司有关负责人表示，“十三五”收官在即，公司将一鼓作气，在今年第二季度前完成剩余17个自然村的网络覆盖，并把扶贫套餐的优惠期延长至2021年底，确保信息扶贫不落下一户一人。记者在采访中也注意到，部分高山村的基站仍依靠柴油发电机供电，运维成本较高，下一步还需要电力部门协同解决。",
        ],
        expected=[
            fig("超12亿元", 1200000000, "CNY", "money", "over"),
            fig("1.8万公里", 18000, "km", "length"),
            fig("不足四成", 40, "percent", "percent", "under"),
            fig("2000至4000元", 2000, "CNY", "money", "range", 4000),
            fig("8078户", 8078, "household", "count"),
            fig("逾3600万元", 36000000, "CNY", "money", "over"),
        ],
    ),
    dict(
        key="a2",
        path="/articles/2018/0612-stategrid-solar.gbk.html",
        template="b",
        charset_meta="gb2312",
        title="国家电网光伏扶贫电站并网容量突破3000兆瓦 村集体有了“阳光存折”",
        published="2018-06-12 10:20",
        outlet="能源观察报",
        author="记者 赵一鸣",
        editor="孙丽",
        meta_pubdate=False,
        paras=[
            "6月11日，记者从国家电网有限公司获悉，截至今年5月底，公司在湖北、青海、甘肃等14个省份累计投入光伏扶贫配套电网资金12.4亿元，新建和改造10千伏线路4300余公里，保障1.9万座村级光伏扶贫电站及时并网，并网总容量突破3000兆瓦。",
            "湖北英山县是国家电网定点帮扶的县之一。在该县孔家坊乡，一座装机60千瓦的村级电站去年发电约7.2万千瓦时，给村集体带来收益五万八千元。村里拿出收益的六成设置保洁、护林等公益岗位，带动贫困户212户稳定增收，其余资金用于修路和维修村小。",
            "“电站建在村里，电网就得跟上。”国网湖北省电力有限公司扶贫办负责人介绍，针对光伏电站分布散、容量小的特点，公司开辟并网绿色通道，从受理到并网的平均时间压缩到15个工作日以内，电费和补贴按月结算，结算准确率保持在100%。",
            "在青海，国网青海省电力公司近年来在玉树、果洛两州投资8.6亿元实施农网改造升级，农村供电可靠率提高到99.8%，户均配变容量比改造前提升了一倍多。当地牧民用上了电动酥油机、电暖器，不少家庭开起了牧家乐，冬天不再靠烧牛粪取暖。",
            "除了建电站、强电网，国家电网还通过自有电商平台开展消费扶贫。2017年至今，平台累计销售贫困地区农副产品超过1.5亿元，带动近3万名贫困群众增收。国家电网表示，将坚持靶心不偏、力度不减，把光伏扶贫电站运维好、收益分配好，让“阳光存折”长期发挥作用。",
        ],
        expected=[
            fig("12.4亿元", 1240000000, "CNY", "money"),
            fig("4300余公里", 4300, "km", "length", "over"),
            fig("突破3000兆瓦", 3000, "MW", "power", "over"),
            fig("五万八千元", 58000, "CNY", "money"),
            fig("六成", 60, "percent", "percent"),
            fig("99.8%", 99.8, "percent", "percent"),
        ],
    ),
    dict(
        key="a3",
        path="/articles/2019/1017-abc-finance.html",
        template="a",
        title="农业银行：832个贫困县贷款余额达1.28万亿元 金融“活水”精准滴灌",
        published="2019-10-17 09:05",
        outlet="金融时讯",
        author="本报记者 陈默",
        editor="刘洋",
        meta_pubdate=True,
        paras=[
            "10月17日是第六个国家扶贫日。记者从中国农业银行获悉，截至2019年9月末，该行在832个国家扶贫开发工作重点县的各项贷款余额达1.28万亿元，比年初增加1376亿元，增速高于全行贷款平均增速5个百分点；全行县域贷款余额突破2.4万亿元。",
            "针对贫困户缺抵押、缺担保的难题，农业银行推出“惠农e贷·扶贫贷”，单户额度一般为2-6万元，执行优惠利率，由财政给予贴息。目前，该产品已累计向建档立卡贫困户发放贷款486亿元，惠及贫困人口二百六十五万人。在甘肃、云南等省，“扶贫贷”户均余额约3.8万元，不良率不足1%。",
            "深度贫困地区是金融扶贫的重中之重。今年以来，农业银行在“三区三州”新增贷款312亿元，在全行扶贫新增贷款中约占50%。在四川凉山，农业银行为盐源县苹果产业园授信1.2亿元，带动当地3700多户果农户均增收近8000元。",
            "农业银行还积极利用境外资本市场筹集扶贫资金。今年上半年，该行通过香港分行发行5亿美元可持续发展债券，同时发行12亿港元离岸债券，募集资金主要用于贫困地区清洁能源和农村基础设施项目。",
            "在人力支持上，农业银行各级机构向贫困村选派第一书记和驻村干部三千余名，他们白天走村入户摸清贷款需求，晚上整理台账，不少人一驻就是三年。农业银行提醒，贫困群众如需办理扶贫贷款，可拨打客服热线95599咨询，或前往就近网点办理，谨防不法分子冒充银行工作人员收取“手续费”。",
        ],
        expected=[
            fig("1.28万亿元", 1280000000000, "CNY", "money"),
            fig("突破2.4万亿元", 2400000000000, "CNY", "money", "over"),
            fig("2-6万元", 20000, "CNY", "money", "range", 60000),
            fig("二百六十五万人", 2650000, "person", "count"),
            fig("约占50%", 50, "percent", "percent", "about"),
            fig("5亿美元", 500000000, "USD", "money"),
        ],
    ),
    dict(
        key="a4",
        path="/articles/2020/0520-jd-dongxiang.html",
        template="b",
        title="直播间里卖洋芋 东乡县农产品搭上电商快车",
        published="2020-05-20 15:48",
        outlet="陇上晚报",
        author="作者：马骏",
        editor="何静",
        meta_pubdate=True,
        paras=[
            "“家人们，这是我们东乡自家地里的洋芋，沙地里长的，口感面！”5月19日晚，在甘肃省临夏回族自治州东乡族自治县的一间直播间里，返乡青年马小兰对着手机镜头吆喝。不到两个小时，直播间就卖出洋芋1.5万公斤、手抓羊肉800多份。",
            "东乡县地处六盘山集中连片特困地区，山大沟深，交通不便。县商务局负责人介绍，过去全县百分之八十的洋芋只能卖给上门收购的商贩，价格每公斤不到1元。2019年，京东与东乡县签订消费扶贫合作协议，开设“东乡特产馆”，并在县里建起占地20亩的产地仓。",
            "合作一年多来，东乡特产馆累计上线农特产品126种，销售额达四千二百万元，带动1.1万户贫困户增收，户均增收2300元左右。今年前4个月，特产馆销售额同比增长１５．８％，东乡手抓羊肉的复购率近90%。",
            "为了让农产品“卖得出、卖得好”，京东还在当地开展电商培训，手把手教农户拍照、写文案、做直播，已培训电商人才近千人次。县财政也安排了电商发展专项资金８００万元，对物流配送、包装设计给予补贴，快递从乡镇到县城的时间由过去的3天缩短到1天。",
            "“我们这里的洋芋、羊肉、花椒品质好，过去是藏在深山人未识。”马小兰说，现在她每月收入在3000元以上，还带着村里十余个姐妹一起做起了直播。想采购东乡特产的朋友，可以添加她的微信号13993012345。",
        ],
        expected=[
            fig("百分之八十", 80, "percent", "percent"),
            fig("20亩", 20, "mu", "area"),
            fig("四千二百万元", 42000000, "CNY", "money"),
            fig("１５．８％", 15.8, "percent", "percent"),
            fig("近90%", 90, "percent", "percent", "under"),
            fig("８００万元", 8000000, "CNY", "money"),
        ],
    ),
    dict(
        key="a5",
        path="/articles/2019/1224-guizhou-relocation.html",
        template="a",
        title="贵州易地扶贫搬迁188万人 “搬得出”之后更要“稳得住”",
        published="2019-12-24 08:30",
        outlet="黔中日报",
        author="本报记者 张黔",
        editor="吴芳",
        meta_pubdate=True,
        paras=[
            "12月23日，贵州省召开易地扶贫搬迁工作新闻发布会。记者从会上获悉，“十三五”期间，贵州省共实施易地扶贫搬迁188万人，其中建档立卡贫困人口157.8万人，是全国搬迁人数最多的省份。全省建成集中安置点946个，建设安置住房45.2万套，累计投入资金超过900亿元。",
            "威宁彝族回族苗族自治县是贵州搬迁任务最重的县，全县搬迁10.2万人。在县城的五里岗安置点，搬迁群众住进了人均面积不超过25平方米的新房，小区里配套建设了幼儿园、卫生室和扶贫车间。“以前住在山上，孩子上学要走两个多小时，现在下楼就是学校。”搬迁户王大姐说。",
            "搬得出只是第一步。贵州省生态移民局负责人介绍，全省通过扶贫车间、公益性岗位和劳务输出等渠道，实现有劳动力的搬迁家庭户均1人以上就业，搬迁劳动力就业率达到90%以上。今年以来，各安置点累计组织招聘会1320场，提供就业岗位逾25万个。",
            "为让搬迁群众安心，贵州省还在安置点建设了教育、医疗、文化等公共服务设施，新建和改扩建中小学、幼儿园669所，新增学位近36万个。同时在集中安置点设立社区党组织，健全“一站式”服务大厅，为搬迁群众办理户籍迁移、社保接续等业务。",
            "下一步，贵州将持续做好搬迁后续扶持工作，确保搬迁群众稳得住、有就业、逐步能致富，把“两不愁三保障”的成果巩固好。发布会上还公布了易地扶贫搬迁政策咨询电话：0851-86812345。",
        ],
        expected=[
            fig("188万人", 1880000, "person", "count"),
            fig("157.8万人", 1578000, "person", "count"),
            fig("超过900亿元", 90000000000, "CNY", "money", "over"),
            fig("10.2万人", 102000, "person", "count"),
            fig("90%以上", 90, "percent", "percent", "over"),
        ],
    ),
    dict(
        key="a6",
        path="/articles/2018/0905-foundation-meals.html",
        template="a",
        title="中国扶贫基金会“爱加餐”项目走进乌蒙山区 6.8万名孩子吃上营养餐",
        published="2018-09-05 11:02",
        outlet="公益时评",
        author="记者 林小雨",
        editor="周洁",
        meta_pubdate=False,
        paras=[
            "新学期开学之际，中国扶贫基金会“爱加餐”项目在云南、贵州、四川等8个省区的512所学校同步启动新一轮发放。据介绍，项目为每名受助学生每个上学日提供价值4元的牛奶、鸡蛋等营养加餐，本学年计划覆盖学生逾6.8万名。",
            "十年来，项目累计投入资金2.37亿元，发放营养加餐超过5200万份，上万名爱心人士通过月捐参与其中。基金会项目负责人说，山区孩子最缺的是优质蛋白，一盒牛奶、一个鸡蛋看似不起眼，长期坚持下来对孩子的身体发育影响很大。",
            "云南省镇雄县是项目覆盖学生最多的县。该县坡头镇中心小学校长介绍，学校有留守儿童近600名，过去不少孩子早饭只吃一个洋芋。实施营养加餐两年来，学生平均身高增长了4.3厘米，贫血检出率由21.4%下降到9.7%。",
            "今年，项目还得到了近百家爱心企业的支持。一位不愿透露姓名的昆明企业家专程来到学校，捐出叁拾万元，用于为学校食堂添置冷藏柜和消毒柜。基金会表示，所有捐款都在官方网站公示，每一笔支出都可以查询。",
            "基金会云南项目办工作人员提醒，公众可以通过官方网站、微信公众号参与月捐，也可以拨打捐赠热线0871-63312345咨询。项目办地址：昆明市五华区翠湖南路，邮编650031。",
        ],
        expected=[
            fig("逾6.8万名", 68000, "person", "count", "over"),
            fig("2.37亿元", 237000000, "CNY", "money"),
            fig("近600名", 600, "person", "count", "under"),
            fig("21.4%", 21.4, "percent", "percent"),
            fig("叁拾万元", 300000, "CNY", "money"),
        ],
    ),
    dict(
        key="a7",
        path="/articles/2019/0618-zju-jingdong.gbk.html",
        template="b",
        charset_meta=None,
        title="浙江大学组团式帮扶景东：把课堂、诊室和产业链搬进大山",
        published="2019-06-18 16:40",
        outlet="之江教育报",
        author="作者：沈一帆",
        editor="郑好",
        meta_pubdate=False,
        paras=[
            "二〇一九年六月三日，浙江大学与云南省普洱市景东彝族自治县签署新一轮定点帮扶协议。双方商定，今后两年浙江大学将在教育、医疗、产业和干部培训等方面投入帮扶资金1500万元，并积极引进社会帮扶资金。",
            "浙江大学自2013年起定点帮扶景东县。六年来，学校先后选派挂职干部和驻村第一书记12名，组织十余个学院的专家教授到县里开展调研和技术指导，累计培训基层干部、教师、医生和技术人员2.6万人次，直接投入和引进帮扶资金共计四千三百万元。",
            "在教育帮扶上，浙大附属中学与景东一中结对，每学期选派骨干教师赴景东支教，景东一中的本科上线率从2016年的不足30%提高到去年的52.3%。医疗方面，浙大医学院附属医院累计派驻医疗专家两百余名，帮助县人民医院新开展手术项目37项，县域内就诊率提高到85%左右。",
            "产业帮扶方面，浙大农学院专家指导当地种植茶叶、核桃和中药材，建成标准化茶园1.2万亩，帮助茶农每亩增收600元以上。学校还通过食堂采购、工会慰问品采购等方式购买景东农产品，2018年采购额达到623万元。",
            "景东县有关负责人表示，浙大帮扶让当地干部群众开阔了眼界，全县贫困发生率从建档立卡之初的18.6%下降到目前的不足1%。下一步，双方将把帮扶重点从“输血”转向“造血”，在无量山茶叶品牌打造和乡村教师培养上下更大功夫。",
        ],
        expected=[
            fig("1500万元", 15000000, "CNY", "money"),
            fig("四千三百万元", 43000000, "CNY", "money"),
            fig("不足30%", 30, "percent", "percent", "under"),
            fig("52.3%", 52.3, "percent", "percent"),
            fig("1.2万亩", 12000, "mu", "area"),
            fig("623万元", 6230000, "CNY", "money"),
        ],
    ),
    dict(
        key="a8",
        path="/articles/2020/1118-shanghai-yunnan-consumption.html",
        template="a",
        title="沪滇消费扶贫今年已超82亿元 云南高原特色农产品走上上海餐桌",
        published="2020-11-18 14:12",
        outlet="申江商报",
        author="本报记者 顾晨",
        editor="陆佳",
        meta_pubdate=True,
        paras=[
            "记者11月17日从上海市合作交流办获悉，今年1至10月，上海市通过消费扶贫采购和帮助销售云南贫困地区农产品82.6亿元，同比增长1.3倍，提前超额完成全年目标任务。",
            "在上海的各大超市和农贸市场，来自云南的菌子、咖啡、普洱茶、石斛已成为常见商品。上海在全市设立云南扶贫产品专柜1200余个，开设线下体验店45家，产品来源覆盖上海对口帮扶的云南迪庆、文山、红河等地的74个县。",
            "为打通产销“最后一公里”，上海在云南建设了30个农产品标准化生产基地和12个冷链仓储中心，新增冷库容量4.5万吨，农产品从云南产地到上海餐桌最快只需要48小时。",
            "消费扶贫直接带动了贫困群众增收。据统计，今年以来沪滇消费扶贫带动云南建档立卡贫困人口超过42万人，人均增收约1800元。文山州丘北县的辣椒种植户李大哥告诉记者，他家种了15亩辣椒，全部由上海企业订单收购，价格比市场价高出10%左右，“今年能收入5万多元”。",
            "上海市合作交流办相关负责人表示，上海将继续完善“互联网+消费扶贫”模式，鼓励各区、各企业和社会各界参与，做到以购代捐、以买代帮。今年“双十一”期间，上海多家电商平台还开设了云南扶贫专区，首日成交额同比翻了一番。负责人说，消费扶贫不是一锤子买卖，关键是帮助云南贫困地区培育品牌、稳定品质，让产品靠市场站得住。",
        ],
        expected=[
            fig("82.6亿元", 8260000000, "CNY", "money"),
            fig("74个县", 74, "county", "count"),
            fig("4.5万吨", 45000, "ton", "weight"),
            fig("超过42万人", 420000, "person", "count", "over"),
            fig("约1800元", 1800, "CNY", "money", "about"),
            fig("5万多元", 50000, "CNY", "money", "over"),
        ],
    ),
    dict(
        key="a9",
        path="/articles/2019/0308-fuping-health.gbk.html",
        template="a",
        charset_meta=None,
        title="阜平县健康扶贫：贫困患者住院费用实际报销比例达90%",
        published="2019-03-08 10:30",
        outlet="燕赵健康报",
        author="本报记者 高远",
        editor="冯雪",
        meta_pubdate=True,
        paras=[
            "记者近日从河北省保定市阜平县卫生健康局了解到，2018年全县建档立卡贫困患者住院费用实际报销比例达到90%，县域内就诊率达到91.2%，因病致贫、因病返贫的家庭比上年减少1036户。",
            "阜平县地处太行山深处，过去群众看病难、看病贵，“小病拖、大病扛”的情况比较普遍。2017年以来，县里整合各类资金1.6亿元，新建和改造村卫生室209个，实现每个行政村都有一间标准化卫生室、一名合格村医。",
            "在县医院，贫困患者实行“先诊疗后付费”和“一站式”结算，出院时只需缴纳个人自付部分。对患有高血压、糖尿病等慢性病的贫困人口，家庭医生签约服务率达到100%，全县286名家庭医生每月至少上门随访一次。对大病患者，县里落实基本医保、大病保险、医疗救助三重保障，个人年度自付费用控制在5000元以内。",
            "河北省卫生健康委还组织省级三甲医院与阜平县医院开展对口帮扶，先后派驻医疗专家63名，帮助县医院开展新技术新项目41项。3年来，县医院门诊量年均增长15%以上，过去需要转到保定、石家庄做的阑尾炎、骨折手术，如今在县里就能做。",
            "阜平县卫健局负责人表示，今年全县将投入健康扶贫资金2300万元，为一万二千名贫困人口开展免费健康体检，确保健康扶贫政策落实不落一人。群众如有疑问，可拨打咨询电话0312-7221234。",
        ],
        expected=[
            fig("91.2%", 91.2, "percent", "percent"),
            fig("1036户", 1036, "household", "count"),
            fig("1.6亿元", 160000000, "CNY", "money"),
            fig("286名", 286, "person", "count"),
            fig("2300万元", 23000000, "CNY", "money"),
            fig("一万二千名", 12000, "person", "count"),
        ],
    ),
    dict(
        key="a10",
        path="/articles/2018/1126-qamdo-roads.html",
        template="b",
        title="昌都农村公路里程突破2万公里 “天路”通到牧民家门口",
        published="2018-11-26 19:05",
        outlet="高原交通报",
        author="作者：次仁多吉",
        editor="卓玛",
        meta_pubdate=True,
        paras=[
            "记者从西藏自治区交通运输厅获悉，截至今年10月底，昌都市农村公路总里程突破2万公里，全市138个乡镇和1143个建制村全部通公路，乡镇通畅率达到98.6%，建制村通畅率由2015年的不到40%提高到83.1%。",
            "边坝县是昌都最偏远的县之一，过去从县城到最远的乡要走一整天。今年投资3.2亿元的县乡公路改建工程完工后，车程缩短到3个小时左右，县里的医生、老师下乡也方便多了。",
            "在G318国道边的左贡县东坝乡，一条条通村公路像哈达一样铺在山间。乡党委书记介绍，路通之后，乡里的松茸、核桃能直接拉到县城和拉萨销售，去年全乡松茸销售收入逾680万元，人均增收2100元。",
            "为实现建好、管好、护好、运营好，昌都市设立农村公路养护公益岗位5400余个，优先安排建档立卡贫困群众，每人每月工资2500元左右。同时开通农村客运班线236条，“出门水泥路、抬脚上客车”正在成为现实。",
            "西藏自治区交通运输厅负责人表示，“十三五”后两年，全区计划再投入农村公路建设资金86亿元，新改建农村公路5600公里，确保具备条件的建制村通硬化路，让农牧民群众出行更安全、更便捷。同时，自治区将加大农村公路灾毁修复力度，雨季期间安排专门队伍巡查，尽量做到路断不超过24小时。",
        ],
        expected=[
            fig("突破2万公里", 20000, "km", "length", "over"),
            fig("98.6%", 98.6, "percent", "percent"),
            fig("不到40%", 40, "percent", "percent", "under"),
            fig("3.2亿元", 320000000, "CNY", "money"),
            fig("逾680万元", 6800000, "CNY", "money", "over"),
            fig("5600公里", 5600, "km", "length"),
        ],
    ),
    dict(
        key="a11",
        path="/articles/2017/0910-cmcc-zhenxiong-schools.html",
        template="a",
        title="中国移动云南公司捐资助学 镇雄山区学校用上“云课堂”",
        published="2017-09-10 08:00",
        outlet="彩云日报",
        author="本报记者 杨帆",
        editor="李梅",
        meta_pubdate=True,
        paras=[
            "9月8日，中国移动云南公司“彩云助学”教育扶贫行动在昭通市镇雄县启动。公司当天向镇雄县捐赠教育信息化设备和助学资金共计1260万元，这是该公司在单个县开展的规模最大的一次教育捐赠。",
            "镇雄县地处乌蒙山区，是云南省人口最多的县，也是贫困人口最多的县之一。全县有中小学和教学点近900所，其中不少村小仍缺少专业的音乐、美术和英语教师，一些学校一名老师要同时教几个年级。",
            "此次捐赠包括为全县120所村小建设“云课堂”多媒体教室，配备教学终端1500台，并通过4G网络接入县城学校的优质课程。公司还将资助家庭困难学生3000名，每人每年资助2000元，连续资助3年。",
            "中国移动云南公司负责人介绍，近年来公司在云南累计投入教育扶贫资金超过8000万元，建成“和教育”平台，覆盖全省16个州市的4800余所学校。截至今年6月，全省农村中小学宽带接入率已达95%以上，乡村教师参加线上培训的人数大幅增加。",
            "启动仪式上，镇雄县教育局局长表示，县里将用好捐赠设备，组织教师参加线上培训，力争用两年时间让全县村小都能开齐开足国家规定课程。受助学生代表、坡头镇一名初二学生说，她最喜欢的是通过大屏幕上英语课，“以后也想当一名老师，回到家乡教书”。",
        ],
        expected=[
            fig("1260万元", 12600000, "CNY", "money"),
            fig("3000名", 3000, "person", "count"),
            fig("2000元", 2000, "CNY", "money"),
            fig("超过8000万元", 80000000, "CNY", "money", "over"),
            fig("95%以上", 95, "percent", "percent", "over"),
        ],
    ),
    dict(
        key="a12",
        path="/articles/2018/0416-ccb-yanchuan-apples.html",
        template="b",
        title="建设银行“果农贷”助延川苹果产业升级 贫困户搭上增收快车",
        published="2018-04-16 17:25",
        outlet="秦川金融报",
        author="作者：白雪",
        editor="任杰",
        meta_pubdate=False,
        paras=[
            "记者从中国建设银行陕西省分行获悉，截至3月末，该行在延安市延川县累计发放产业扶贫贷款5.6亿元，支持苹果、红枣等特色产业项目86个，带动建档立卡贫困户3420户、贫困人口1.1万人增收。",
            "延川县是陕北黄土高原上的苹果大县，全县苹果种植面积21.5万亩。过去果农缺资金、缺技术，果园管理粗放，优果率只有35%左右，好苹果卖不上好价钱。",
            "建设银行推出的“果农贷”单户最高可贷30万元，年利率比同期普通贷款低1.5个百分点，贷款期限最长3年。永坪镇果农刘大叔去年用8万元贷款建了防雹网和滴灌设施，果园亩产提高到3500公斤，全年卖了23万元，比前年多收入4万多元。",
            "为解决农村金融服务网点少的问题，建设银行在延川县布设“裕农通”普惠金融服务点163个，覆盖全县约70%的行政村，村民在家门口就能办理取款、转账、缴费等业务。今年一季度，服务点累计办理业务逾2.8万笔。",
            "延川县扶贫办负责人表示，下一步县里将与建设银行合作建立扶贫贷款风险补偿基金，县财政首期注资1000万元，引导更多金融资源投向苹果产业，力争到2020年全县果农人均苹果收入再翻一番。",
        ],
        expected=[
            fig("5.6亿元", 560000000, "CNY", "money"),
            fig("3420户", 3420, "household", "count"),
            fig("1.1万人", 11000, "person", "count"),
            fig("21.5万亩", 215000, "mu", "area"),
            fig("约70%", 70, "percent", "percent", "about"),
            fig("1000万元", 10000000, "CNY", "money"),
        ],
    ),
    dict(
        key="a13",
        path="/articles/2020/0806-sinopec-fenghuang.html",
        template="b",
        title="中国石化定点帮扶凤凰县：猕猴桃挂满枝头 搬迁群众端上“产业饭碗”",
        published="2020-08-06 12:00",
        outlet="湘西观察",
        author="作者：龙晓燕",
        editor="田野",
        meta_pubdate=True,
        paras=[
            "8月初，湖南湘西土家族苗族自治州凤凰县的猕猴桃陆续进入成熟期。记者从中国石化获悉，自定点帮扶凤凰县以来，中国石化累计向当地投入帮扶资金2.2亿元，实施帮扶项目300多个；今年，中国石化又追加无偿帮扶资金3100万元，重点支持产业发展和搬迁后续扶持。",
            "在廖家桥镇菖蒲塘村，中国石化援建的猕猴桃冷链仓储中心库容达2000吨，果子采摘后可以错峰上市，每公斤售价提高1元多。村党支部书记说，全村人均可支配收入已达到1.8万元，不少外出打工的年轻人回村种起了果树。",
            "消费扶贫是中国石化的一大特色。中国石化依托遍布全国的易捷便利店销售扶贫商品，今年上半年已帮助凤凰县销售猕猴桃、腊肉、姜糖等农产品4100万元，同比增长46%。",
            "凤凰县有易地扶贫搬迁群众2.3万人。中国石化在县城安置区援建扶贫车间14个，吸纳搬迁群众就业1200余人，人均月工资2000元以上，让搬迁群众在家门口就能上班挣钱、照顾老小。",
            "中国石化有关负责人表示，越是到最后关头，越是千难万难，越要把帮扶措施落到实处。公司将在第四季度再组织一批扶贫商品进驻易捷便利店，并继续选派优秀年轻干部到凤凰县挂职，把已经脱贫的群众扶上马、送一程。",
        ],
        expected=[
            fig("2.2亿元", 220000000, "CNY", "money"),
            fig("3100万元", 31000000, "CNY", "money"),
            fig("2000吨", 2000, "ton", "weight"),
            fig("4100万元", 41000000, "CNY", "money"),
            fig("1200余人", 1200, "person", "count", "over"),
            fig("2000元以上", 2000, "CNY", "money", "over"),
        ],
    ),
    dict(
        key="a14",
        path="/articles/2021/0302-minning-xiji.html",
        template="a",
        title="闽宁协作25载 西吉县告别绝对贫困",
        published="2021-03-02 09:48",
        outlet="塞上日报",
        author="本报记者 马宁",
        editor="杨柳",
        meta_pubdate=True,
        paras=[
            "记者从宁夏回族自治区固原市西吉县获悉，随着最后一批贫困人口稳定脱贫，西吉县全县贫困村238个全部出列，贫困发生率从2014年的26.6%降至零，这个曾经“苦瘠甲天下”的地方告别了绝对贫困。",
            "西吉的变化离不开闽宁协作。1996年以来，福建省累计向西吉县投入财政帮扶资金5.7亿元，选派挂职干部和专业技术人员三百多人次；福建企业在西吉落地投资项目58个，实际到位投资逾16亿元，涵盖马铃薯加工、服装制造、文旅等领域。",
            "劳务输出是西吉群众增收的重要渠道。去年全县向福建等地输出务工人员6.2万人，实现劳务收入23.6亿元。全县农村居民人均可支配收入达到10587元，比2015年增长近六成。",
            "马铃薯是西吉的“当家产业”。全县马铃薯种植面积稳定在百万亩左右，年产鲜薯180万吨，建成马铃薯淀粉加工企业16家，种植户户均马铃薯收入超过8000元。",
            "脱贫摘帽不是终点。西吉县有关负责人表示，今年县财政安排衔接推进乡村振兴补助资金2.96亿元，用于产业发展、就业帮扶和基础设施补短板，同时建立防止返贫动态监测机制，对脱贫不稳定户和边缘易致贫户早发现、早干预、早帮扶，坚决守住不发生规模性返贫的底线。",
        ],
        expected=[
            fig("贫困村238个", 238, "village", "count"),
            fig("26.6%", 26.6, "percent", "percent"),
            fig("5.7亿元", 570000000, "CNY", "money"),
            fig("逾16亿元", 1600000000, "CNY", "money", "over"),
            fig("180万吨", 1800000, "ton", "weight"),
            fig("近六成", 60, "percent", "percent", "under"),
        ],
    ),
    dict(
        key="a15",
        path="/articles/2021/0115-unicom-zhangbei.html",
        template="a",
        title="中国联通河北公司：5G智慧牧场让张北牧民“云放牧”",
        published="2021-01-15 18:26",
        outlet="冀北信息报",
        author="本报记者 韩冬",
        editor="许诺",
        meta_pubdate=False,
        paras=[
            "隆冬时节，坝上草原银装素裹。记者从中国联通河北省分公司获悉，该公司在张家口市张北县建成5G基站412个，县城和重点乡镇实现5G网络覆盖，全县行政村全部通了4G网络和光纤宽带。",
            "在张北县小二台镇的一家智慧牧场，存栏的奶牛每头都佩戴了智能项圈，体温、运动量等数据实时传到后台。牧场负责人介绍，用上这套系统后，奶牛单产提高了8.5%，饲料成本降低约12%，一名技术员就能照看过去三个人才管得过来的牛群。",
            "作为中国联通“百县千村”信息化帮扶行动的一部分，河北联通近三年在张北县投入帮扶资金超过2000万元，建设农村电商服务站、远程医疗站点和“智慧党建”平台，帮助当地培养了一批懂网络、会经营的新型农民。",
            "消费扶贫方面，河北联通通过线上商城和工会采购，全年帮助张北县销售莜面、马铃薯、亚麻籽油等农产品560吨，销售额1280万元。全省2.1万名联通员工参与认购，人均购买扶贫产品600元。",
            "中国联通河北省分公司有关负责人表示，“十四五”期间，公司将把5G网络向更多乡村延伸，探索5G在设施农业、乡村旅游等领域的应用，助力巩固拓展脱贫攻坚成果同乡村振兴有效衔接。用户如需办理相关业务，可拨打客服热线10010。",
        ],
        expected=[
            fig("8.5%", 8.5, "percent", "percent"),
            fig("约12%", 12, "percent", "percent", "about"),
            fig("超过2000万元", 20000000, "CNY", "money", "over"),
            fig("560吨", 560, "ton", "weight"),
            fig("1280万元", 12800000, "CNY", "money"),
            fig("2.1万名", 21000, "person", "count"),
        ],
    ),
]


EXTRA = {
    "a2": "英山县扶贫办统计，全县已建成村级光伏电站126座，每年为村集体带来收益约900万元，相当于给每个贫困村添了一份“铁杆庄稼”。",
    "a3": "业内人士指出，金融扶贫既要敢贷，也要会管。农业银行在加大投放的同时把扶贫贷款风险控制在较低水平，为银行业持续加大扶贫投入提供了可以借鉴的经验。全行40多万员工也踊跃参与消费扶贫。",
    "a4": "东乡县有关负责人表示，县里计划今年再建设3个乡镇电商服务中心，配套建设冷库和分拣车间，力争让全县有条件的贫困村都有一名会直播、懂运营的带头人。",
    "a5": "记者在五里岗安置点看到，扶贫车间里一排排缝纫机整齐排列，几十名搬迁妇女正在赶制一批出口订单，她们每月工资在2000元至3000元之间。",
    "a6": "基金会还计划从明年起把项目扩展到甘肃、青海等地，同时联合当地教育部门为学校厨师开展食品安全培训，确保营养餐吃得放心。俗话说，一个好汉三个帮，山区孩子的成长同样需要全社会搭把手。项目负责人说：“让每个孩子都能吃饱、吃好，这是最朴素的心愿。”",
    "a7": "景东县教育局统计，浙大帮扶以来，全县新增硕士以上学历的中小学教师46名，由浙大资助的贫困大学生已有130多人顺利毕业，其中不少人选择回到家乡工作。",
    "a8": "上海市农业农村委有关人士说，下一步将在上海各区的社区菜场增设云南扶贫产品销售点，并推动更多云南农产品进入学校、医院食堂，让市民在家门口就能买到放心的高原好物。据统计，上海的消费扶贫规模在东部帮扶省市中名列第二。",
    "a9": "阜平县一位患尿毒症的贫困户告诉记者，他每周要做3次透析，过去一年光医药费就要花去四五万元，现在报销后自己一年只需负担两千多元，“心里的石头总算落了地”。",
    "a10": "昌都市交通运输局负责人介绍，农村公路建设中优先使用当地劳动力，今年以来，全市农村公路项目共吸纳农牧民群众务工1.6万人次，发放劳务报酬1.1亿元。一位在工地上开挖掘机的贫困户说，他两年多来靠修路挣了十多万元，家里盖起了新房。",
    "a11": "据了解，中国移动云南公司还将组织员工与受助学生结成“一对一”帮扶对子，定期了解学生的学习和生活情况。今年以来，全省已有800多名员工报名参加，他们利用节假日走进村小，为孩子们讲解网络安全知识，带去图书和文具。公司计划到2019年底前在全省贫困县再建设500所“云课堂”。",
    "a12": "在延川县的苹果冷库里，工人们正在对去年秋季入库的苹果进行分拣包装。冷库负责人介绍，他们用建设银行的200万元贷款扩建了冷库，库容从800吨增加到2000吨，错峰销售后每公斤苹果能多卖0.8元。今年春节前后，这批苹果通过电商平台销往广东、上海等地，每天发货四五千单，带动周边60多名贫困群众在冷库打工，每人每月能挣2400元。",
    "a13": "在阿拉营镇，中国石化援建的一条14公里的产业路把十多个村寨连了起来。过去村民运一车猕猴桃到县城要绕行半天，如今不到1个小时就能到。中国石化还先后选派挂职干部和驻村第一书记20余名在凤凰县驻村帮扶，其中有的干部一干就是三年。",
    "a14": "在西吉县将台堡镇的一家闽宁协作扶贫车间，200多名女工正在流水线上缝制服装。车间负责人介绍，车间由福建企业投资建设，员工大多是附近村里的留守妇女，月收入在2500元到3500元之间。“以前只能在家带孩子、种地，现在每个月都有一份稳定收入。”一名女工说。福建援建的35口人饮水窖也已在去年全部投用。",
    "a15": "张北县公会镇的一名贫困户告诉记者，他家养了30多头牛，过去牛生病往往发现得晚，一年要损失好几头。去年装上智能项圈后，系统能提前提醒异常，他家一头牛也没有损失，全年养牛收入达到12万元。联通还为村里的党员活动室接入了远程教育系统，村民在家门口就能听农业专家讲课。",
}
for _a in ARTICLES:
    if _a["key"] in EXTRA:
        _a["paras"].insert(len(_a["paras"]) - 1, EXTRA[_a["key"]])


# The repost of a5: a second outlet republishes it a day later with a new header and tiny edits.
def make_repost(orig):
    paras = list(orig["paras"])
    paras[0] = paras[0].replace("记者从会上获悉", "从会上获悉")
    paras[1] = paras[1].replace("搬迁户王大姐说。", "搬迁户王大姐笑着说。")
    paras[-1] = paras[-1].replace("发布会上还公布了易地扶贫搬迁政策咨询电话：0851-86812345。", "")
    paras[-1] = paras[-1].rstrip()
    return dict(
        key="a16",
        path="/articles/2019/1225-guizhou-relocation-repost.html",
        template="a",
        title="贵州易地扶贫搬迁188万人：“搬得出”更要“稳得住”",
        published="2019-12-25 10:12",
        outlet="西南财经网",
        source_line="来源：西南财经网（转载自黔中日报）",
        repost_note="本文转载自黔中日报，原标题《贵州易地扶贫搬迁188万人 “搬得出”之后更要“稳得住”》",
        author="黔中日报记者 张黔",
        editor="唐果",
        meta_pubdate=True,
        paras=paras,
        expected=[e for e in orig["expected"] if e["text"] != "10.2万人"],
        repost_of=orig["path"],
    )


ARTICLES.append(make_repost(ARTICLES[4]))

PRIVATE = dict(
    key="private",
    path="/private/internal-memo.html",
    template="a",
    title="内部通报：2020年度帮扶资金使用情况（内部资料 请勿外传）",
    published="2021-04-01 09:00",
    outlet="惠农新闻网编辑部",
    author="编辑部",
    editor="编辑部",
    meta_pubdate=True,
    disallowed=True,
    paras=[
        "经编辑部核对，2020年度合作单位共拨付帮扶资金9876万元，其中已使用7654万元，结余资金2222万元结转下年使用。",
        "受益农户共计4321户，其中脱贫不稳定户678户。项目资金使用率为77.5%，比上年下降3.3个百分点，主要原因是部分工程受疫情影响推迟开工。",
        "本通报仅供内部参考，不得转载、不得对外公开。各部门如对数据有疑问，请在本月底前与编辑部核实。",
    ],
    expected=[
        {
            "text": "9876万元",
            "value": 98760000,
            "unit": "CNY",
            "kind": "money",
            "qualifier": "exact",
        },
        {
            "text": "7654万元",
            "value": 76540000,
            "unit": "CNY",
            "kind": "money",
            "qualifier": "exact",
        },
        {
            "text": "4321户",
            "value": 4321,
            "unit": "household",
            "kind": "count",
            "qualifier": "exact",
        },
        {
            "text": "77.5%",
            "value": 77.5,
            "unit": "percent",
            "kind": "percent",
            "qualifier": "exact",
        },
    ],
)


SITE = "惠农新闻网"
TZ = ZoneInfo("Asia/Shanghai")

BY_KEY = {a["key"]: a for a in ARTICLES}
ORDER = sorted(ARTICLES, key=lambda a: a["published"], reverse=True)
SITEMAP_ONLY = {"a16", "a10"}
LIST_ONLY = {"a11", "a2"}
LISTED = [a for a in ORDER if a["key"] not in SITEMAP_ONLY] + [PRIVATE]
FEED = [a for a in ORDER if a["key"] not in SITEMAP_ONLY | LIST_ONLY][:8] + [PRIVATE]
SITEMAP = [a for a in ORDER if a["key"] not in LIST_ONLY] + [PRIVATE]
PAGES = [LISTED[0:5], LISTED[5:10], LISTED[10:15]]
assert len(LISTED) == 15, len(LISTED)

WECHAT = [
    ("扶贫农产品团购咨询", "18919463027"),
    ("乡村振兴项目对接", "13709871256"),
]

NAV = (
    '<nav class="nav"><ul>'
    '<li><a href="/index.html">首页</a></li>'
    '<li><a href="/list/1.html">扶贫动态</a></li>'
    '<li><a href="/list/2.html">产业帮扶</a></li>'
    '<li><a href="/list/3.html">公益慈善</a></li>'
    '<li><a href="/rss.xml">RSS订阅</a></li>'
    "</ul></nav>"
)

FOOTER = (
    '<footer class="footer">'
    "<p>Copyright 2017-2021 惠农新闻网 版权所有 未经授权禁止转载</p>"
    "<p>蜀ICP备17012345号-2 川公网安备51010402000123号</p>"
    "<p>新闻热线：028-86612345 广告合作：028-86612346</p>"
    "<p>本站为演示站点，新闻内容系为测试而撰写的虚构报道。</p>"
    "</footer>"
)


def dt(a):
    return datetime.strptime(a["published"], "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def related(a, n=3):
    others = [o for o in ORDER if o["key"] != a["key"]]
    i = int(a["key"][1:]) if a["key"][1:].isdigit() else 0
    picks = [others[(i * 3 + k * 5) % len(others)] for k in range(n)]
    items = "".join(
        f'<li><a href="{o["path"]}">{escape(o["title"])}</a><span class="date">{o["published"][:10]}</span></li>'
        for o in picks
    )
    return f'<div class="related"><h3>相关新闻</h3><ul>{items}</ul></div>'


def wechat(a):
    label, number = WECHAT[len(a["key"]) % 2]
    return (
        '<div class="wechat-ad">'
        f"<p>X {label}</p>"
        '<p class="qr"><span>二维码</span></p>'
        "<p>截屏，微信识别二维码</p>"
        f"<p>微信号：{number}</p>"
        "<p>（点击微信号复制，添加好友）</p>"
        "<p>打开微信</p>"
        "<p>微信号已复制，请打开微信添加咨询办理！</p>"
        "</div>"
    )


def head(a, charset_tag):
    d = dt(a)
    parts = ["<head>"]
    if charset_tag:
        parts.append(charset_tag)
    parts.append(f"<title>{escape(a['title'])}_{SITE}</title>")
    parts.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    parts.append('<meta name="keywords" content="脱贫攻坚,精准扶贫,乡村振兴">')
    if a.get("meta_pubdate"):
        if a["template"] == "a":
            parts.append(f'<meta name="pubdate" content="{d.isoformat()}">')
        else:
            parts.append(f'<meta name="pubdate" content="{d:%Y-%m-%d %H:%M:%S}">')
        parts.append(f'<meta property="og:title" content="{escape(a["title"])}">')
        parts.append('<meta property="og:type" content="article">')
    parts.append('<link rel="stylesheet" href="/static/site.css">')
    parts.append("</head>")
    return "".join(parts)


def charset_tag(a):
    if a["path"].endswith(".gbk.html"):
        cs = a.get("charset_meta")
        if cs is None:
            return ""
        return f'<meta http-equiv="Content-Type" content="text/html; charset={cs}">'
    return '<meta charset="utf-8">'


def body_paras(a):
    ps = "".join(f"<p>{escape(p, quote=False)}</p>" for p in a["paras"])
    return ps


def page_a(a):
    source = a.get("source_line") or f"来源：{a['outlet']}"
    note = ""
    if a.get("repost_note"):
        note = f'<div class="repost-note">{escape(a["repost_note"], quote=False)}</div>'
    private = ""
    if a.get("disallowed"):
        private = '<div class="notice">内部资料，仅限编辑部查阅</div>'
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">'
        + head(a, charset_tag(a))
        + "<body>"
        + f'<header class="header"><div class="logo"><a href="/index.html">{SITE}</a></div>{NAV}</header>'
        + '<div class="breadcrumb"><a href="/index.html">首页</a> &gt; <a href="/list/1.html">扶贫动态</a> &gt; 正文</div>'
        + '<div class="article">'
        + private
        + f'<h1 class="title">{escape(a["title"], quote=False)}</h1>'
        + f'<div class="meta"><span class="time">{a["published"]}</span> '
        + f'<span class="source">{escape(source, quote=False)}</span> '
        + f'<span class="author">{escape(a["author"], quote=False)}</span></div>'
        + note
        + '<div class="content" id="article-body">'
        + body_paras(a)
        + f'<p class="editor">责任编辑：{a["editor"]}</p>'
        + "</div>"
        + '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>'
        + related(a)
        + wechat(a)
        + "</div>"
        + FOOTER
        + "</body></html>\n"
    )


def time_b(a):
    d = dt(a)
    return f"{d:%Y年%m月%d日 %H:%M}"


def page_b(a):
    hot = "".join(
        f'<li><a href="{o["path"]}">{escape(o["title"])}</a></li>' for o in ORDER[:5] if o is not a
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">'
        + head(a, charset_tag(a))
        + "<body>"
        + '<div class="topbar"><span>今天是：<script>document.write(new Date().toLocaleDateString())</script></span>'
        + '<a href="/index.html">设为首页</a> <a href="/rss.xml">订阅</a></div>'
        + f'<header class="site-header"><div class="logo"><a href="/index.html"><img src="/static/logo.png" alt="{SITE}"></a><span>{SITE}</span></div>{NAV}</header>'
        + '<div class="breadcrumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/list/2.html">产业帮扶</a> &gt; 正文</div>'
        + '<div class="main"><div class="article article-b">'
        + f'<h1 class="title">{escape(a["title"], quote=False)}</h1>'
        + '<div class="meta">'
        + f'<span class="source">来源：<a href="/index.html">{escape(a["outlet"], quote=False)}</a></span>'
        + f'<span class="author">{escape(a["author"], quote=False)}</span>'
        + f'<span class="time">{time_b(a)}</span>'
        + '<span class="font">字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></span>'
        + "</div>"
        + '<div class="content" id="article-body">'
        + body_paras(a)
        + f'<p class="editor">【责任编辑：{a["editor"]}】</p>'
        + "</div>"
        + '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a> <a href="#">打印本页</a></div>'
        + related(a)
        + wechat(a)
        + "</div>"
        + f'<aside class="sidebar"><h3>热点排行</h3><ol>{hot}</ol></aside>'
        + "</div>"
        + FOOTER
        + "</body></html>\n"
    )


def list_item(a):
    return (
        f'<li><a href="{a["path"]}">{escape(a["title"])}</a>'
        f'<span class="date">{a["published"][:10]}</span></li>'
    )


def shell(title, inner):
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">'
        "</head><body>"
        f'<header class="header"><div class="logo"><a href="/index.html">{SITE}</a></div>{NAV}</header>'
        + inner
        + FOOTER
        + "</body></html>\n"
    )


def list_page(n, items):
    pager = []
    if n > 1:
        pager.append(f'<a class="prev" href="/list/{n - 1}.html">上一页</a>')
    for k in range(1, 4):
        pager.append(
            f'<span class="current">{k}</span>' if k == n else f'<a href="/list/{k}.html">{k}</a>'
        )
    if n < 3:
        pager.append(f'<a class="next" href="/list/{n + 1}.html">下一页</a>')
    inner = (
        f'<div class="breadcrumb"><a href="/index.html">首页</a> &gt; 扶贫动态 &gt; 第{n}页</div>'
        + '<div class="list"><ul class="news-list">'
        + "".join(list_item(a) for a in items)
        + "</ul>"
        + f'<div class="pager">{"".join(pager)}</div></div>'
    )
    return shell(f"扶贫动态_第{n}页_{SITE}", inner)


def index_page():
    top = LISTED[:6]
    inner = (
        '<div class="focus"><h2>头条</h2>'
        + f'<h3><a href="{top[0]["path"]}">{escape(top[0]["title"])}</a></h3>'
        + f"<p>{escape(top[0]['paras'][0][:60])}…</p></div>"
        + '<div class="latest"><h2>最新报道</h2><ul class="news-list">'
        + "".join(list_item(a) for a in top)
        + '</ul><p class="more"><a href="/list/1.html">更多新闻</a></p></div>'
    )
    return shell(f"{SITE}_脱贫攻坚 乡村振兴", inner)


def rss():
    items = []
    for a in FEED:
        items.append(
            "<item>"
            f"<title>{escape(a['title'])}</title>"
            f"<link>{{{{BASE}}}}{a['path']}</link>"
            f'<guid isPermaLink="true">{{{{BASE}}}}{a["path"]}</guid>'
            f"<pubDate>{format_datetime(dt(a))}</pubDate>"
            f"<source>{escape(a['outlet'])}</source>"
            f"<description>{escape(a['paras'][0][:80])}…</description>"
            "</item>\n"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
        f"<title>{SITE}</title><link>{{{{BASE}}}}/index.html</link>"
        "<description>脱贫攻坚与企业帮扶新闻</description><language>zh-cn</language>"
        f"<lastBuildDate>{format_datetime(dt(FEED[0]))}</lastBuildDate>\n"
        + "".join(items)
        + "</channel></rss>\n"
    )


def sitemap():
    urls = "".join(
        f"<url><loc>{{{{BASE}}}}{a['path']}</loc><lastmod>{dt(a).isoformat()}</lastmod></url>\n"
        for a in SITEMAP
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n"
    )


ROBOTS = "User-agent: *\nDisallow: /private/\n\nSitemap: {{BASE}}/sitemap.xml\n"


def manifest_entry(a):
    return {
        "path": a["path"],
        "encoding": "gbk" if a["path"].endswith(".gbk.html") else "utf-8",
        "template": a["template"],
        "title": a["title"],
        "published": a["published"],
        "outlet": a["outlet"],
        "author": a["author"],
        "disallowed": bool(a.get("disallowed")),
        "repost_of": a.get("repost_of"),
        "in_rss": a in FEED,
        "in_sitemap": a in SITEMAP,
        "in_lists": a in LISTED,
        "expected": a["expected"],
    }


BLOCK_END = re.compile(r"(</(?:p|div|h1|h3|header|footer|ul|li|ol|nav|head|aside)>)")


def write(root, path, text, encoding="utf-8"):
    if path.endswith(".html"):
        text = BLOCK_END.sub(r"\1\n", text)
    p = root / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode(encoding))


def build(root=OUT, verbose=False):
    """Write the whole newsroom under root (the package's newsroom/ by default)."""
    for sub in ("articles", "list", "private"):
        shutil.rmtree(root / sub, ignore_errors=True)
    for a in ARTICLES + [PRIVATE]:
        html = page_a(a) if a["template"] == "a" else page_b(a)
        enc = "gbk" if a["path"].endswith(".gbk.html") else "utf-8"
        write(root, a["path"], html, enc)
        if verbose:
            print(f"{a['key']:8} {sum(len(p) for p in a['paras']):5} {a['path']}")
    for i, items in enumerate(PAGES, 1):
        write(root, f"/list/{i}.html", list_page(i, items))
    write(root, "/index.html", index_page())
    write(root, "/rss.xml", rss())
    write(root, "/sitemap.xml", sitemap())
    write(root, "/robots.txt", ROBOTS)
    manifest = {
        "site": SITE,
        "timezone": "Asia/Shanghai",
        "articles": [manifest_entry(a) for a in ORDER + [PRIVATE]],
    }
    write(root, "/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    build(verbose=True)
