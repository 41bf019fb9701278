"""Build the demo records in memory (unsaved model instances), deterministically from one seed.

Nothing here touches the database except through the instances it is handed; `demo.services` saves.
Dates are relative to today, so the same seed on the same day gives the same data."""

import bisect
import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from veracity.accounts.models import User
from veracity.activities.models import Activity, ActivityKind
from veracity.catalog.models import Product, ProductCategory
from veracity.core.money import round_money
from veracity.customers.models import (
    CompanySize,
    Contact,
    Customer,
    CustomerKind,
    CustomerSource,
    Industry,
    LifecycleStatus,
    Tag,
)
from veracity.demo import names
from veracity.demo.products import CATALOG, build_catalog
from veracity.pipeline.models import LostReason, Opportunity, OpportunityStageChange, PipelineStage, StageKind
from veracity.sales.models import Channel, ExchangeRate, Order, OrderLine, OrderStatus, Region

TAGS = ["VIP", "重点客户", "战略合作", "老客户", "展会线索", "渠道伙伴", "政府项目", "出口业务", "高潜力", "需回访"]
TEAM_MEMBERS = {
    "North": {"manager": 1, "rep": 3, "rep_wang": 3, "rep_zhang": 2},
    "South": {"manager2": 1, "rep2": 3, "rep_chen": 3, "rep_liu": 2},
}
# Base rates (CNY per unit) for the monthly exchange-rate table; decimals kept per currency.
RATE_BASES = {"USD": (Decimal("7.15"), 4), "EUR": (Decimal("7.80"), 4), "HKD": (Decimal("0.9150"), 4),
              "JPY": (Decimal("0.048500"), 6)}
# Orders per month relative to the average: Spring Festival dip, 618 and Double 11 peaks, year end.
SEASON = {1: 0.9, 2: 0.55, 3: 1.0, 4: 1.0, 5: 1.05, 6: 1.25, 7: 0.95, 8: 0.95, 9: 1.1, 10: 0.85,
          11: 1.3, 12: 1.35}
LINES_PER_ORDER = Decimal(20000) / Decimal(7000)
HISTORY_DAYS = 730
PROJECTS = ["年度采购框架协议", "办公设备更新项目", "服务器扩容", "ERP 集成项目", "全员软件许可", "年度维保续约",
            "新厂区配套采购", "数据中心改造", "门店设备升级"]
EN_PROJECTS = ["Annual supply agreement", "Office refresh", "Server expansion", "Licence renewal"]
SUBJECTS = {
    ActivityKind.CALL: ["电话回访：确认需求", "电话沟通报价细节", "跟进付款进度", "售后问题电话回访"],
    ActivityKind.VISIT: ["上门拜访采购负责人", "现场考察使用环境", "拜访客户高层"],
    ActivityKind.MEETING: ["方案评审会议", "商务谈判会议", "季度业务回顾", "技术交流会"],
    ActivityKind.EMAIL: ["发送报价单", "发送合同草案", "发送产品资料", "确认发货时间"],
    ActivityKind.NOTE: ["客户预算已批复", "竞争对手报价更低", "决策人变更", "客户计划扩大采购"],
    ActivityKind.TASK: ["准备报价单", "安排产品演示", "催收尾款", "寄送样品", "续约提醒"],
}
OUTCOMES = ["客户有意向", "需要再次跟进", "已确认需求", "等待客户内部审批", "暂无需求"]


def _weighted(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class DemoPlan:
    """Everything the demo generates, built from one `random.Random(seed)`."""

    def __init__(self, *, seed: int, users: dict[str, User]):
        self.rng = random.Random(seed)
        self.users = users
        self.today = timezone.localdate()
        self.start = self.today - dt.timedelta(days=HISTORY_DAYS)
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.rates: dict[tuple[str, int, int], Decimal] = {}
        self.customer_meta: dict[int, dict] = {}  # index in customer rows -> generation facts

    # --- helpers ---------------------------------------------------------------------------------
    def at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(9, 18) if hour is None else hour
        return dt.datetime(day.year, day.month, day.day, hour, self.rng.randrange(60), tzinfo=self.tz)

    def rate_on(self, currency: str, day: dt.date) -> Decimal:
        """The table's rate on `day`: rates are set on the first of each month."""
        if currency == "CNY":
            return Decimal("1")
        return self.rates[(currency, day.year, day.month)]

    def category_names(self) -> list[str]:
        return list(CATALOG)

    # --- catalog and rates -------------------------------------------------------------------
    def build_products(self, categories: dict[str, ProductCategory]) -> list[Product]:
        admin = self.users["admin"]
        created = self.at(self.start - dt.timedelta(days=30))
        return [
            Product(sku=item["sku"], name=item["name"], category=categories[item["category"]], unit=item["unit"],
                    list_price=item["list_price"], cost_price=item["cost_price"], currency=item["currency"],
                    created_at=created, updated_at=created, created_by=admin, updated_by=admin)
            for item in build_catalog(self.rng)
        ]

    def build_exchange_rates(self) -> list[ExchangeRate]:
        rows = []
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.today.year, self.today.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        for currency, (base, places) in RATE_BASES.items():
            rate = base
            quantum = Decimal(1).scaleb(-places)
            for year, month in months:
                rate = (rate * (1 + Decimal(self.rng.uniform(-0.012, 0.012)))).quantize(quantum)
                self.rates[(currency, year, month)] = rate
                rows.append(ExchangeRate(currency=currency, rate_date=dt.date(year, month, 1), rate=rate))
        return rows

    # --- customers ---------------------------------------------------------------------------
    def _owner_for(self, region: str) -> User:
        team = "North" if region in names.NORTH_TEAM_REGIONS else "South"
        if region == "international":
            team = self.rng.choice(["North", "South"])
        return self.users[_weighted(self.rng, TEAM_MEMBERS[team])]

    def build_customers(self, count: int) -> list[Customer]:
        rng = self.rng
        n_person = round(count * 0.12)
        n_international = round(count * 0.08)
        kinds = (["person"] * n_person + ["international"] * n_international
                 + ["company"] * (count - n_person - n_international))
        rng.shuffle(kinds)
        provinces = list(names.PROVINCE_WEIGHTS)
        weights = list(names.PROVINCE_WEIGHTS.values())
        used_names: set[str] = set()
        rows = []
        for index, kind in enumerate(kinds):
            lifecycle = _weighted(rng, {LifecycleStatus.CUSTOMER: 55, LifecycleStatus.PROSPECT: 20,
                                        LifecycleStatus.LEAD: 17, LifecycleStatus.CHURNED: 8})
            industry = rng.choice([choice for choice in Industry.values if choice != Industry.OTHER])
            values: dict = {"industry": industry, "lifecycle_status": lifecycle, "country": "CN",
                            "source": _weighted(rng, {CustomerSource.REFERRAL: 20, CustomerSource.WEBSITE: 20,
                                                      CustomerSource.EXHIBITION: 15, CustomerSource.COLD_CALL: 15,
                                                      CustomerSource.PARTNER: 12, CustomerSource.CAMPAIGN: 12,
                                                      CustomerSource.IMPORT: 6})}
            if kind == "international":
                country, cities, dialling, currency = rng.choice(names.INTERNATIONAL)
                industry = rng.choice(list(names.EN_INDUSTRY))
                name = names.english_company(rng, country=country, industry=industry)
                slug = names.ascii_slug(name.split()[0])
                region = "international"
                values.update(kind=CustomerKind.COMPANY, industry=industry, country=country, city=rng.choice(cities),
                              phone=f"{dialling}{rng.randrange(10**8, 10**9)}", email=f"sales@{slug}.example",
                              website=f"https://www.{slug}.example", size=_weighted(rng, {
                                  CompanySize.MEDIUM: 3, CompanySize.LARGE: 3, CompanySize.ENTERPRISE: 2}))
            else:
                province = rng.choices(provinces, weights=weights)[0]
                region, cities = names.GEOGRAPHY[province]
                city, area_code, division, districts = rng.choice(cities)
                currency = "CNY"
                values.update(province=province, city=city, district=rng.choice(districts),
                              address_line=f"{rng.choice(names.STREETS)}{rng.randint(1, 999)}号")
                if kind == "person":
                    name = names.chinese_person(rng) if rng.random() < 0.85 else names.latin_person(rng)
                    slug = names.ascii_slug(name)
                    values.update(kind=CustomerKind.PERSON, industry="", phone=names.mobile(rng),
                                  email=f"{slug}{rng.randint(1, 999)}@example.com")
                else:
                    brand = names.chinese_brand(rng)
                    name = names.chinese_company(rng, province=province, city=city, industry=industry, brand=brand)
                    slug = names.ascii_slug(brand)
                    values.update(
                        kind=CustomerKind.COMPANY, email=f"{rng.choice(['info', 'sales', 'contact'])}@{slug}.example",
                        phone=names.landline(rng, area_code) if rng.random() < 0.7 else names.mobile(rng),
                        website=f"https://www.{slug}.example" if rng.random() < 0.6 else "",
                        credit_code=names.credit_code(rng, division) if rng.random() < 0.7 else "",
                        size=_weighted(rng, {CompanySize.MICRO: 2, CompanySize.SMALL: 4, CompanySize.MEDIUM: 4,
                                             CompanySize.LARGE: 2, CompanySize.ENTERPRISE: 1}))
            while name in used_names:  # a rare clash of made-up names: add a branch suffix
                name = f"{name}（{rng.choice(['第二', '华东', '华南', '北方'])}分公司）" if kind == "company" else f"{name} {rng.randint(2, 99)}"
            used_names.add(name)
            owner = self._owner_for(region)
            buying = lifecycle in (LifecycleStatus.CUSTOMER, LifecycleStatus.CHURNED)
            created_day = (self.start - dt.timedelta(days=rng.randint(0, 240)) if buying and rng.random() < 0.6
                           else self.today - dt.timedelta(days=rng.randint(30 if buying else 1,
                                                                           HISTORY_DAYS - 30 if buying else 365)))
            created = self.at(created_day)
            pinyin, initials = names.pinyin_keys(name)
            rows.append(Customer(code=f"C{index + 1:06d}", name=name, name_pinyin=pinyin, name_initials=initials,
                                 owner=owner, created_by=owner, updated_by=owner, created_at=created,
                                 updated_at=created, **values))
            size_weight = {"1-9": 1, "10-49": 2, "50-249": 3, "250-999": 5, "1000+": 8}.get(values.get("size", ""), 1)
            self.customer_meta[index] = {"region": region, "currency": currency, "buying": buying,
                                         "created_day": created_day, "weight": size_weight}
        return rows

    def build_tag_links(self, customers: list[Customer], tags: list[Tag]) -> list:
        through = Customer.tags.through
        links = []
        for customer in customers:
            for tag in self.rng.sample(tags, k=self.rng.choices([0, 1, 2], weights=[5, 3, 1])[0]):
                links.append(through(customer_id=customer.pk, tag_id=tag.pk))
        return links

    def build_contacts(self, customers: list[Customer]) -> list[Contact]:
        rng = self.rng
        rows = []
        for customer in customers:
            if customer.kind != CustomerKind.COMPANY:
                continue
            latin = customer.country != "CN"
            domain = customer.email.split("@")[-1]
            for number in range(rng.choices([1, 2, 3], weights=[4, 4, 2])[0]):
                name = names.latin_person(rng) if latin else names.chinese_person(rng)
                title, department = rng.choice(names.EN_TITLES if latin else names.TITLES)
                pinyin, initials = names.pinyin_keys(name)
                rows.append(Contact(
                    customer=customer, name=name, name_pinyin=pinyin, name_initials=initials, title=title,
                    department=department, mobile=customer.phone if latin else names.mobile(rng),
                    email=f"{pinyin[:20]}{rng.randint(1, 99)}@{domain}", is_primary=number == 0,
                    wechat="" if latin else f"wx_{pinyin[:12]}{rng.randint(10, 9999)}",
                    created_at=customer.created_at, updated_at=customer.created_at,
                    created_by=customer.owner, updated_by=customer.owner))
        return rows

    # --- orders ------------------------------------------------------------------------------
    def _order_days(self, count: int) -> list[dt.date]:
        days = [self.start + dt.timedelta(days=offset) for offset in range(1, HISTORY_DAYS + 1)]
        weights = [(0.6 + 0.8 * offset / HISTORY_DAYS) * SEASON[day.month] * (0.35 if day.weekday() >= 5 else 1)
                   for offset, day in enumerate(days)]
        return sorted(self.rng.choices(days, weights=weights, k=count))

    def _quantity(self, product: Product) -> Decimal:
        rng = self.rng
        if product.unit in ("kg", "m", "l"):
            return Decimal(rng.randint(50, 20000)) / 10
        if product.unit == "hour":
            return Decimal(rng.choice([4, 8, 16, 24, 40, 80]))
        if product.unit == "year":
            return Decimal(rng.choice([1, 1, 2, 3]))
        price = product.list_price * self.rate_on(product.currency, self.today)
        top = 3 if price > 10000 else 12 if price > 1000 else 60 if price > 100 else 400
        return Decimal(rng.randint(1, top))

    def build_orders(self, customers, contacts, products, line_count: int):
        """About 7 orders per 20 lines; returns (orders, [[OrderLine, …] per order]) with exact totals."""
        rng = self.rng
        order_count = max(1, min(line_count, int((Decimal(line_count) / LINES_PER_ORDER).to_integral_value())))
        line_counts = [1] * order_count
        for _ in range(line_count - order_count):
            index = rng.randrange(order_count)
            while line_counts[index] >= 12:
                index = rng.randrange(order_count)
            line_counts[index] += 1
        primary = {contact.customer_id: contact for contact in contacts if contact.is_primary}
        buyers = sorted((index for index, meta in self.customer_meta.items() if meta["buying"]),
                        key=lambda index: self.customer_meta[index]["created_day"])
        if not buyers:  # a tiny demo may draw no buying customers: make the first one buy
            buyers = [0]
            self.customer_meta[0].update(buying=True, created_day=self.start)
        created_days = [self.customer_meta[index]["created_day"] for index in buyers]
        cumulative, total = [], 0
        for index in buyers:
            total += self.customer_meta[index]["weight"]
            cumulative.append(total)
        stops = self._last_buying_days(customers, buyers)
        orders, all_lines = [], []
        for number, (day, lines_wanted) in enumerate(zip(self._order_days(order_count), line_counts, strict=True), 1):
            eligible = max(1, bisect.bisect_right(created_days, day))
            for _attempt in range(12):
                pick = buyers[bisect.bisect_left(cumulative, rng.random() * cumulative[eligible - 1])]
                if pick not in stops or day <= stops[pick]:
                    break
            customer, meta = customers[pick], self.customer_meta[pick]
            currency = meta["currency"]
            rate = self.rate_on(currency, day)
            age = (self.today - day).days
            if age <= 7:
                status = _weighted(rng, {OrderStatus.DRAFT: 2, OrderStatus.CONFIRMED: 5, OrderStatus.SHIPPED: 3})
            elif age <= 30:
                status = _weighted(rng, {OrderStatus.CONFIRMED: 3, OrderStatus.SHIPPED: 4, OrderStatus.DELIVERED: 3})
            else:
                status = _weighted(rng, {OrderStatus.DELIVERED: 96, OrderStatus.CANCELLED: 4})
            channel = (_weighted(rng, {Channel.DIRECT: 3, Channel.DISTRIBUTOR: 1}) if currency != "CNY" else
                       _weighted(rng, {Channel.DIRECT: 45, Channel.DISTRIBUTOR: 25, Channel.ONLINE: 15,
                                       Channel.RETAIL: 5, Channel.TELESALES: 10}))
            created = self.at(day)
            lines = []
            for line_no, product in enumerate(rng.sample(products, k=min(lines_wanted, len(products))), 1):
                to_order_currency = self.rate_on(product.currency, day) / rate
                unit_price = round_money(product.list_price * to_order_currency)
                unit_cost = round_money(product.cost_price * to_order_currency)
                quantity = self._quantity(product)
                discount = Decimal(rng.choice(["0", "0", "0", "0", "2.5", "5", "8", "10", "12", "15", "20"]))
                net = round_money(quantity * unit_price * (1 - discount / 100))
                lines.append(OrderLine(line_no=line_no, product=product, description=product.name[:255],
                                       quantity=quantity, unit_price=unit_price, discount_percent=discount,
                                       currency=currency, net_amount=net, unit_cost=unit_cost))
            orders.append(Order(
                number=f"SO{day:%Y%m}-{number:06d}", customer=customer, contact=primary.get(customer.pk),
                order_date=day, status=status, salesperson=customer.owner, channel=channel,
                region=meta["region"] if meta["region"] in Region.values else "", currency=currency,
                exchange_rate=rate, total_amount=sum((line.net_amount for line in lines), Decimal("0")),
                cost_total=sum((round_money(line.quantity * line.unit_cost) for line in lines), Decimal("0")),
                created_at=created, updated_at=created, created_by=customer.owner, updated_by=customer.owner))
            all_lines.append(lines)
        return orders, all_lines

    def _last_buying_days(self, customers, buyers: list[int]) -> dict[int, dt.date]:
        """The day each lapsing buyer stopped buying: every churned customer (7 to 15 months ago) and a
        share of current ones (4 to 12 months ago), so churn risk and "at risk" segments have members."""
        rng = random.Random(self.rng.random())
        stops = {}
        for index in buyers:
            if customers[index].lifecycle_status == LifecycleStatus.CHURNED:
                stops[index] = self.today - dt.timedelta(days=rng.randint(210, 450))
            elif rng.random() < 0.18:
                stops[index] = self.today - dt.timedelta(days=rng.randint(120, 360))
        return stops

    # --- pipeline ----------------------------------------------------------------------------
    def build_opportunities(self, customers, contacts, stages: list[PipelineStage]):
        rng = self.rng
        open_stages = [stage for stage in stages if stage.kind == StageKind.OPEN]
        won = next((stage for stage in stages if stage.kind == StageKind.WON), None)
        lost = next((stage for stage in stages if stage.kind == StageKind.LOST), None)
        primary = {contact.customer_id: contact for contact in contacts if contact.is_primary}
        candidates = [customer for customer in customers if customer.lifecycle_status != LifecycleStatus.CHURNED]
        count = max(10, round(len(customers) * 0.15))
        positions: dict[int, int] = {}
        opportunities, histories = [], []
        for customer in (rng.choice(candidates) for _ in range(count)):
            outcome = _weighted(rng, {"open": 60, "won": 22 if won else 0, "lost": 18 if lost else 0})
            latin = customer.country != "CN"
            created_day = self.today - dt.timedelta(days=rng.randint(10, 200) if outcome == "open"
                                                    else rng.randint(60, 600))
            if outcome == "open":
                reached = rng.choices(range(len(open_stages)), weights=[max(5, 35 - 7 * i) for i in range(len(open_stages))])[0]
                path = open_stages[:reached + 1]
                end_day = self.today - dt.timedelta(days=1)
            else:
                path = open_stages[:rng.randint(1, len(open_stages))] + [won if outcome == "won" else lost]
                end_day = min(self.today - dt.timedelta(days=1), created_day + dt.timedelta(days=rng.randint(20, 120)))
            span = max(1, (end_day - created_day).days)
            offsets = sorted(rng.sample(range(1, span + 1), k=min(span, len(path) - 1)))
            while len(offsets) < len(path) - 1:
                offsets.append(span)
            moments = [self.at(created_day)] + [self.at(created_day + dt.timedelta(days=offset)) for offset in offsets]
            history = [(path[i - 1] if i else None, path[i], moments[i]) for i in range(len(path))]
            stage = path[-1]
            positions[stage.pk] = positions.get(stage.pk, 0) + 1
            amount = Decimal(rng.randint(20, 2000) * 1000)
            brand = customer.name.split()[0] if latin else customer.name[:6]
            opportunity = Opportunity(
                name=f"{brand} · {rng.choice(EN_PROJECTS if latin else PROJECTS)}", customer=customer,
                contact=primary.get(customer.pk), owner=customer.owner, stage=stage,
                amount=(amount / 7).quantize(Decimal("1")) if latin else amount, currency="USD" if latin else "CNY",
                expected_close_date=(end_day if outcome != "open" else
                                     self.today + dt.timedelta(days=rng.randint(-20, 150))),
                closed_on=end_day if outcome != "open" else None,
                lost_reason=_weighted(rng, {reason: 1 for reason in LostReason.values}) if outcome == "lost" else "",
                lost_note=rng.choice(["", "客户选择了价格更低的方案", "项目预算被削减"]) if outcome == "lost" else "",
                stage_changed_at=moments[-1], position=positions[stage.pk],
                created_at=moments[0], updated_at=moments[-1], created_by=customer.owner, updated_by=customer.owner)
            opportunities.append(opportunity)
            histories.append(history)
        return opportunities, histories

    # --- activities --------------------------------------------------------------------------
    def build_activities(self, customers, contacts, opportunities) -> list[Activity]:
        rng = self.rng
        primary = {contact.customer_id: contact for contact in contacts if contact.is_primary}
        opportunity_of = {opportunity.customer_id: opportunity for opportunity in opportunities}
        service = self.users["service"]
        rows = []
        kinds = {ActivityKind.CALL: 30, ActivityKind.VISIT: 12, ActivityKind.MEETING: 10, ActivityKind.EMAIL: 18,
                 ActivityKind.NOTE: 15, ActivityKind.TASK: 15}
        for customer in customers:
            buying = customer.lifecycle_status in (LifecycleStatus.CUSTOMER, LifecycleStatus.CHURNED)
            first_day = customer.created_at.date()
            for _ in range(rng.randint(2, 6) if buying else rng.randint(0, 3)):
                kind = _weighted(rng, kinds)
                day = first_day + dt.timedelta(days=rng.randint(0, max(0, (self.today - first_day).days)))
                logger = service if kind in (ActivityKind.CALL, ActivityKind.NOTE) and rng.random() < 0.1 \
                    else customer.owner
                rows.append(self._activity(kind, customer, logger, self.at(day), primary.get(customer.pk),
                                           opportunity_of.get(customer.pk)))
        rows.extend(self._rep_agenda(customers, primary))
        return rows

    def _activity(self, kind, customer, logger, when, contact, opportunity, *, due=None, done=None) -> Activity:
        rng = self.rng
        if kind == ActivityKind.TASK and due is None:
            due = when + dt.timedelta(days=rng.randint(1, 14))
        if done is None:
            done = kind != ActivityKind.TASK or (due < self.now and rng.random() < 0.85)
        durations = {ActivityKind.CALL: (5, 40), ActivityKind.VISIT: (60, 180), ActivityKind.MEETING: (30, 120)}
        low_high = durations.get(kind)
        return Activity(
            kind=kind, subject=rng.choice(SUBJECTS[kind]), customer=customer, contact=contact,
            opportunity=opportunity if kind in (ActivityKind.MEETING, ActivityKind.VISIT) else None,
            owner=logger, assignee=customer.owner if kind == ActivityKind.TASK else None,
            occurred_at=when, due_at=due, done=done,
            done_at=(due if kind == ActivityKind.TASK else when) if done else None,
            duration_minutes=rng.randint(*low_high) if low_high else None,
            location=f"{customer.city}{customer.address_line}" if kind == ActivityKind.VISIT else "",
            outcome=rng.choice(OUTCOMES) if low_high else "",
            created_at=when, updated_at=when, created_by=logger, updated_by=logger)

    def _rep_agenda(self, customers, primary) -> list[Activity]:
        """The demo `rep` opens the app to tasks due today and a few overdue ones."""
        rep = self.users["rep"]
        own = [customer for customer in customers if customer.owner_id == rep.pk] or customers[:1]
        rows = []
        for offset, count in ((0, 3), (-1, 2), (-4, 2), (-9, 1), (2, 2), (6, 2)):
            for _ in range(count):
                customer = self.rng.choice(own)
                due = self.at(self.today + dt.timedelta(days=offset), hour=self.rng.choice([10, 14, 17, 23]))
                rows.append(self._activity(ActivityKind.TASK, customer, rep, due - dt.timedelta(days=3),
                                           primary.get(customer.pk), None, due=due, done=False))
        return rows


def attach_lines(order: Order, lines: list[OrderLine]) -> list[OrderLine]:
    for line in lines:
        line.order = order
    return lines


def attach_stage_changes(opportunity: Opportunity, history) -> list[OpportunityStageChange]:
    return [OpportunityStageChange(opportunity=opportunity, from_stage=from_stage, to_stage=to_stage,
                                   changed_at=moment, changed_by=opportunity.owner)
            for from_stage, to_stage, moment in history]
