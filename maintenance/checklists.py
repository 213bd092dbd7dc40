"""The checklists of TSG T5002-2017 (电梯维护保养规则) as data: the items of each maintenance level,
for vertical (traction and positive-drive) elevators (附件A) and for escalators and moving walkways
(附件D).

A faithful subset of the rule's annexes, keeping its numbering: "A1-03" is item 3 of table A1
(half-monthly items of a vertical elevator). A record of a level covers that level's items and
those of every lower level (a yearly visit includes the half-monthly items), so the items a record
may hold are `items_for(group, level)`: its own table and the lower ones.

The names and requirements are the rule's own Chinese wording, kept as data and shown as they are
(like the registry's names): the record holds the code, and the rule is cited, not translated.
"""

from dataclasses import dataclass

from elevators.codes import CategoryGroup

from .models.choices import LEVEL_ORDER, MaintenanceLevel


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    name: str
    requirement: str = ""


L = MaintenanceLevel

VERTICAL = {
    L.HALF_MONTHLY: (
        ChecklistItem("A1-01", "机房、滑轮间环境", "清洁，门窗完好，照明正常"),
        ChecklistItem("A1-02", "手动紧急操作装置", "齐全，在指定位置"),
        ChecklistItem("A1-03", "驱动主机", "运行时无异常振动和异常声响"),
        ChecklistItem("A1-04", "制动器各销轴部位", "动作灵活"),
        ChecklistItem("A1-05", "制动器间隙", "打开时制动衬与制动轮不发生摩擦，间隙值符合制造单位要求"),
        ChecklistItem("A1-07", "编码器", "清洁，安装牢固"),
        ChecklistItem("A1-08", "限速器各销轴部位", "润滑，转动灵活；电气开关正常"),
        ChecklistItem("A1-09", "层门和轿门旁路装置", "工作正常"),
        ChecklistItem("A1-10", "紧急电动运行", "工作正常"),
        ChecklistItem("A1-11", "轿顶", "清洁，防护栏安全可靠"),
        ChecklistItem("A1-12", "轿顶检修开关、停止装置", "工作正常"),
        ChecklistItem("A1-13", "导靴上油杯", "吸油毛毡齐全，油量适宜，油杯无泄漏"),
        ChecklistItem("A1-14", "对重/平衡重块及其压板", "对重/平衡重块无松动，压板紧固"),
        ChecklistItem("A1-15", "井道照明", "齐全，正常"),
        ChecklistItem("A1-16", "轿厢照明、风扇、应急照明", "工作正常"),
        ChecklistItem("A1-17", "轿厢检修开关、停止装置", "工作正常"),
        ChecklistItem("A1-18", "轿内报警装置、对讲系统", "工作正常"),
        ChecklistItem("A1-19", "轿内显示、指令按钮、IC卡系统", "齐全，有效"),
        ChecklistItem("A1-20", "轿门防撞击保护装置", "功能有效"),
        ChecklistItem("A1-21", "轿门门锁电气触点", "清洁，触点接触良好，接线可靠"),
        ChecklistItem("A1-22", "轿门运行", "开启和关闭工作正常"),
        ChecklistItem("A1-23", "轿厢平层准确度", "符合标准值"),
        ChecklistItem("A1-24", "层站召唤、层楼显示", "齐全，有效"),
        ChecklistItem("A1-25", "层门地坎", "清洁"),
        ChecklistItem("A1-26", "层门自动关门装置", "正常"),
        ChecklistItem("A1-27", "层门门锁自动复位", "用层门钥匙打开手动开锁装置释放后，层门门锁能自动复位"),
        ChecklistItem("A1-28", "层门门锁电气触点", "清洁，触点接触良好，接线可靠"),
        ChecklistItem("A1-29", "层门锁紧元件啮合长度", "不小于7mm"),
        ChecklistItem("A1-30", "底坑环境", "清洁，无渗水、积水，照明正常"),
        ChecklistItem("A1-31", "底坑停止装置", "工作正常"),
    ),
    L.QUARTERLY: (
        ChecklistItem("A2-01", "减速机润滑油", "油量适宜，除蜗杆伸出端外均无渗漏"),
        ChecklistItem("A2-02", "制动衬", "清洁，磨损量不超过制造单位要求"),
        ChecklistItem("A2-04", "位置脉冲发生器", "工作正常"),
        ChecklistItem("A2-05", "选层器动静触点", "清洁，无烧蚀"),
        ChecklistItem("A2-06", "曳引轮槽、悬挂装置", "清洁，钢丝绳无严重油腻，张力均匀"),
        ChecklistItem("A2-07", "限速器轮槽、限速器钢丝绳", "清洁，无严重油腻"),
        ChecklistItem("A2-08", "靴衬、滚轮", "清洁，磨损量不超过制造单位要求"),
        ChecklistItem("A2-09", "验证轿门关闭的电气安全装置", "工作正常"),
        ChecklistItem("A2-10", "层门、轿门系统中传动钢丝绳、链条、传动带", "按照制造单位要求进行清洁、调整"),
        ChecklistItem("A2-11", "层门门导靴", "磨损量不超过制造单位要求"),
        ChecklistItem("A2-12", "消防开关", "工作正常，功能有效"),
        ChecklistItem("A2-13", "耗能缓冲器", "电气安全装置功能有效，油量适宜，柱塞无锈蚀"),
    ),
    L.HALF_YEARLY: (
        ChecklistItem("A3-01", "电动机与减速机联轴器", "连接无松动，弹性元件外观良好，无老化等现象"),
        ChecklistItem("A3-02", "驱动轮、导向轮轴承部", "无异常声，无振动，润滑良好"),
        ChecklistItem("A3-03", "曳引轮槽", "磨损量不超过制造单位要求"),
        ChecklistItem("A3-04", "制动器动作状态监测装置", "工作正常，制动器动作可靠"),
        ChecklistItem("A3-05", "控制柜内各接线端子", "各接线紧固、整齐，线号齐全清晰"),
        ChecklistItem("A3-06", "控制柜各仪表", "显示正确"),
        ChecklistItem("A3-07", "井道、对重、轿顶各反绳轮轴承部", "无异常声，无振动，润滑良好"),
        ChecklistItem("A3-08", "悬挂装置、补偿绳", "磨损量、断丝数不超过要求"),
        ChecklistItem("A3-09", "绳头组合", "螺母无松动"),
        ChecklistItem("A3-10", "限速器钢丝绳", "磨损量、断丝数不超过制造单位要求"),
        ChecklistItem("A3-11", "层门、轿门门扇", "门扇各相关间隙符合标准值"),
        ChecklistItem("A3-12", "轿门开门限制装置", "工作正常"),
        ChecklistItem("A3-13", "对重缓冲距离", "符合标准值"),
        ChecklistItem("A3-14", "补偿链（绳）与轿厢、对重接合处", "固定，无松动"),
        ChecklistItem("A3-15", "上下极限开关", "工作正常"),
    ),
    L.YEARLY: (
        ChecklistItem("A4-01", "控制柜接触器，继电器触点", "接触良好"),
        ChecklistItem("A4-02", "制动器铁心（柱塞）", "进行清洁、润滑、检查，磨损量不超过制造单位要求"),
        ChecklistItem("A4-03", "制动器制动能力", "符合制造单位要求，保持有足够的制动力"),
        ChecklistItem("A4-04", "导电回路绝缘性能测试", "符合标准"),
        ChecklistItem("A4-05", "限速器安全钳联动试验", "工作正常"),
        ChecklistItem("A4-06", "上行超速保护装置动作试验", "工作正常"),
        ChecklistItem("A4-07", "轿顶、轿厢架、轿门及其附件安装螺栓", "紧固"),
        ChecklistItem("A4-08", "轿厢和对重/平衡重的导轨支架", "固定，无松动"),
        ChecklistItem("A4-09", "轿厢和对重/平衡重的导轨", "清洁，压板牢固"),
        ChecklistItem("A4-10", "随行电缆", "无损伤"),
        ChecklistItem("A4-11", "层门装置和地坎", "无影响正常使用的变形，各安装螺栓紧固"),
        ChecklistItem("A4-12", "轿厢称重装置", "准确有效"),
        ChecklistItem("A4-13", "安全钳钳座", "固定，无松动"),
        ChecklistItem("A4-14", "轿底各安装螺栓", "紧固"),
        ChecklistItem("A4-15", "缓冲器", "固定，无松动"),
    ),
}

ESCALATOR = {
    L.HALF_MONTHLY: (
        ChecklistItem("D1-01", "电器部件", "清洁，接线紧固"),
        ChecklistItem("D1-02", "故障显示板", "信号功能正常"),
        ChecklistItem("D1-03", "设备运行状况", "正常，无异常声响和抖动"),
        ChecklistItem("D1-04", "主驱动链", "运转正常，电气安全保护装置动作有效"),
        ChecklistItem("D1-05", "制动器机械装置", "清洁，动作正常"),
        ChecklistItem("D1-06", "制动器状态监测开关", "工作正常"),
        ChecklistItem("D1-07", "减速机润滑油", "油量适宜，无渗油"),
        ChecklistItem("D1-08", "电机通风口", "清洁"),
        ChecklistItem("D1-09", "检修控制装置", "工作正常"),
        ChecklistItem("D1-10", "自动润滑油罐油位", "油位正常，润滑系统工作正常"),
        ChecklistItem("D1-11", "梳齿板开关", "工作正常"),
        ChecklistItem("D1-12", "梳齿板照明", "照明正常"),
        ChecklistItem("D1-13", "梳齿板梳齿与踏板面齿槽、导向胶带", "梳齿板完好无损，啮合正常"),
        ChecklistItem("D1-14", "梯级或者踏板下陷开关", "工作正常"),
        ChecklistItem("D1-17", "梯级或者踏板滚轮", "外观无破损，运转正常"),
        ChecklistItem("D1-18", "梯级、踏板与围裙板之间的间隙", "任何一侧的水平间隙及两侧间隙之和符合标准值"),
        ChecklistItem("D1-19", "运行方向显示", "工作正常"),
        ChecklistItem("D1-20", "扶手带入口处保护开关", "动作灵活可靠，清除入口处垃圾"),
        ChecklistItem("D1-21", "扶手带", "表面无毛刺，无机械损伤，运行无摩擦"),
        ChecklistItem("D1-22", "扶手带运行", "速度正常"),
        ChecklistItem("D1-23", "扶手护壁板", "牢固可靠"),
        ChecklistItem("D1-24", "上下出入口处的照明", "工作正常"),
        ChecklistItem("D1-25", "上下出入口和扶梯之间保护栏杆", "牢固可靠"),
        ChecklistItem("D1-26", "出入口安全警示标志", "齐全，醒目"),
        ChecklistItem("D1-27", "分离机房、各驱动和转向站", "清洁，无杂物"),
        ChecklistItem("D1-28", "自动运行功能", "工作正常"),
        ChecklistItem("D1-29", "紧急停止开关", "工作正常"),
        ChecklistItem("D1-30", "驱动主机的固定", "牢固可靠"),
    ),
    L.QUARTERLY: (
        ChecklistItem("D2-01", "扶手带的运行速度", "相对于梯级、踏板或者胶带的速度允差为0～+2%"),
        ChecklistItem("D2-02", "梯级链张紧开关", "位置正确，动作正常"),
        ChecklistItem("D2-03", "防护挡板", "有效，无破损"),
        ChecklistItem("D2-04", "梯级或者踏板与导轮", "轴承无异常声，梯级或者踏板与导轨无异常摩擦"),
        ChecklistItem("D2-05", "制动距离", "符合标准值"),
    ),
    L.HALF_YEARLY: (
        ChecklistItem("D3-01", "制动衬厚度", "不小于制造单位要求"),
        ChecklistItem("D3-02", "主驱动链", "清理表面油污，润滑"),
        ChecklistItem("D3-03", "主驱动链链条滑块", "清洁，厚度符合制造单位要求"),
        ChecklistItem("D3-04", "电动机与减速机联轴器", "连接无松动，弹性元件外观良好，无老化等现象"),
        ChecklistItem("D3-05", "空载向下运行制动距离", "符合标准值"),
        ChecklistItem("D3-06", "制动器机械装置", "润滑，工作有效"),
        ChecklistItem("D3-07", "附加制动器", "清洁和润滑，功能可靠"),
        ChecklistItem("D3-08", "减速机润滑油", "按照制造单位的要求进行检查、更换"),
        ChecklistItem("D3-09", "调整梳齿板梳齿与踏板面齿槽啮合深度和间隙", "符合标准值"),
        ChecklistItem("D3-10", "扶手带张紧度张紧弹簧负载长度", "符合制造单位要求"),
        ChecklistItem("D3-11", "扶手带速度监控系统", "工作正常"),
    ),
    L.YEARLY: (
        ChecklistItem("D4-01", "主接触器", "工作可靠"),
        ChecklistItem("D4-02", "主机速度检测功能", "功能可靠，清洁感应面、感应间隙符合制造单位要求"),
        ChecklistItem("D4-03", "电缆", "无破损，固定牢固"),
        ChecklistItem("D4-04", "扶手带托轮、滑轮群、防静电轮", "清洁，无损伤，托轮转动平滑"),
        ChecklistItem("D4-05", "扶手带内侧凸缘处", "无损伤，清洁扶手导轨滑动面"),
        ChecklistItem("D4-06", "扶手带断带保护开关", "功能正常"),
        ChecklistItem("D4-07", "扶手带导向块和导向轮", "清洁，工作正常"),
        ChecklistItem("D4-08", "进入梳齿板处的梯级与导轮的轴向窜动量", "符合制造单位要求"),
        ChecklistItem("D4-09", "内外盖板连接", "紧密牢固，连接处的凸台、缝隙符合制造单位要求"),
        ChecklistItem("D4-10", "围裙板安全开关", "测试有效"),
        ChecklistItem("D4-11", "围裙板对接处", "紧密平滑"),
        ChecklistItem("D4-12", "电气安全装置", "动作可靠"),
        ChecklistItem("D4-13", "设备运行状况", "正常，梯级运行平稳，无异常抖动，无异常声响"),
    ),
}

# Moving walkways follow the escalator annex (附件D covers both).
CHECKLISTS = {
    CategoryGroup.VERTICAL: VERTICAL,
    CategoryGroup.ESCALATOR: ESCALATOR,
    CategoryGroup.MOVING_WALKWAY: ESCALATOR,
}


def items_for(group: str, level: str) -> tuple[ChecklistItem, ...]:
    """The items a record of `level` covers on an elevator of `group`: its table and every lower one."""
    tables = CHECKLISTS[group]
    lower = LEVEL_ORDER[: LEVEL_ORDER.index(level) + 1]
    return tuple(item for name in lower for item in tables[name])


def item_codes_for(group: str, level: str) -> frozenset[str]:
    """The codes of `items_for(group, level)`."""
    return frozenset(item.code for item in items_for(group, level))


# Every item by its code (the codes of the two annexes never collide: A… and D…).
ITEMS_BY_CODE = {
    item.code: item for tables in (VERTICAL, ESCALATOR) for items in tables.values() for item in items
}
