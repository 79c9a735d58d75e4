from __future__ import annotations

import pytest

from sitecheck.spam import spam_wording


@pytest.mark.parametrize(
    "text",
    [
        "鼎盛体育官网入口",
        "2024新澳门天天彩资料大全",
        "国产精品99在线观看",
        "真人百家乐平台",
        "ky体育,ky体育网址",
        "米乐·(中国)官方网站",
        "華體會體育app下載",  # traditional characters are folded
        "ＫＹ体育网址",  # full-width letters too
        "开云体育(中国)官方网站",
        "澳门六合彩开奖结果",
        "黄色视频在线观看",
        "imtoken钱包官网下载",
        "买球app正规平台",
        "鼎盛娱乐(中国)官方网站",
        "区块链钱包app官方下载",
        "免费人成视频在线观看",
    ],
)
def test_planted_spam_is_recognised(text):
    assert spam_wording(text)


@pytest.mark.parametrize(
    "text",
    [
        "首页 - 临江市人民政府",
        "中超第12轮：海港2比1力克申花，积分榜升至第三",
        "欧冠前瞻：主场迎战，机构赔率看好主队",
        "腾讯体育官网",  # a sports medium, not a casino
        "警方打击跨境赌博网站，抓获嫌疑人12名",  # a police report speaks of gambling
        "会员登录 - 石泉晚报体育频道",
        "市体育局关于全民健身运动会报名的通知",
        "无码科技 聚合阅读",
        # ordinary company, weather, school, cinema, exchange and state-lottery titles
        "深圳市华强电子有限公司-官方网站",
        "暴雨黄色预警信号",
        "个人成绩查询",
        "万达影院官网",
        "婚庆一条龙服务",
        "新澳留学",
        "飞利浦(中国)官方网站",
        "飞利浦（中国）官方网站",
        "上海证券交易所官网",
        "数字人民币钱包app下载",
        "中国体彩网-开奖结果",
        "中国福利彩票 双色球开奖号码",
        "新华网体育_手机版",
        "买球鞋",
        "北京体育大学官方网站",
        "某某科技有限公司客服电话",
        "",
    ],
)
def test_ordinary_titles_are_not_spam(text):
    assert spam_wording(text) is None
