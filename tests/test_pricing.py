"""computefit.pricing: monthly cost arithmetic against the unit prices in data/prices/aws.json.

Expected amounts are computed here from the facts (so a price update does not break them) with the
formula written out; the assumption texts name the same prices.
"""

from __future__ import annotations

import pytest

from computefit import facts, pricing, prices
from computefit.model import Unknown

HOURS = 730  # facts meta.hours_per_month
SECONDS = 2_628_000  # facts meta.seconds_per_month = 730 h


def price(key: str, arch: str | None = None) -> float:
    return prices.rate(key.removeprefix("price."), arch)


def test_month_lengths_are_the_730_hour_convention():
    assert pricing.hours_per_month() == HOURS
    assert facts.meta("seconds_per_month") == SECONDS == HOURS * 3600


@pytest.mark.parametrize("per_day,per_month", [(1, 730 / 24), (24, 730.0), (1 / 7, 730 / 24 / 7), (0, 0.0)])
def test_runs_per_month(per_day, per_month):
    assert pricing.runs_per_month(per_day) == pytest.approx(per_month)


# --------------------------------------------------------------------------------------------------
# Architectures and sizes
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("setting,arch", [
    (["arm64"], "arm64"), (["x86_64"], "x86_64"), (["arm64", "x86_64"], "arm64"),
    (None, "x86_64"), ([], "x86_64"), ([Unknown("parameter Arch has no Default")], "x86_64"),
    ("arm64", "x86_64"),  # not a list: not an Architectures value, so the service default
])
def test_lambda_architecture(setting, arch):
    assert pricing.lambda_architecture(setting) == arch


@pytest.mark.parametrize("need,size", [
    ((0.25, 0.5), (0.25, 0.5)),
    ((0.1, 0.2), (0.25, 0.5)),  # the smallest task
    ((0.3, 1.2), (0.5, 2.0)),  # next CPU size, memory rounded up to a whole GB
    ((0.3, 0.5), (0.5, 1.0)),  # 0.5 vCPU takes at least 1 GB (0.5 GB is not a Fargate size)
    ((1, 0.5), (1.0, 2.0)),  # at least 2 GB per vCPU from 1 vCPU on
    ((2, 4), (2.0, 4.0)),
    ((2, 16), (2.0, 16.0)),
    ((3, 5.5), (4.0, 8.0)),
    ((32, 8), (16.0, 32.0)),  # capped at the largest task
    ((4, 500), (16.0, 120.0)),  # memory capped at 120 GB, which only 16 vCPU takes (4 vCPU: 8-30 GB)
    ((4, 31), (8.0, 32.0)),  # 8 vCPU memory in 4 GB steps
    ((8, 61), (16.0, 64.0)),  # 16 vCPU memory in 8 GB steps
])
def test_fargate_size(need, size):
    assert pricing.fargate_size(*need) == size


def test_ec2_size_and_hourly_price_from_facts(monkeypatch):
    assert pricing.ec2_size("r5.large") == (2.0, 16.0)
    assert pricing.ec2_size("t3.nano") == (2.0, 0.5)
    assert pricing.ec2_size("x9.huge") is None and pricing.ec2_size(None) is None
    assert pricing.ec2_size(Unknown("parameter Type")) is None
    assert pricing.ec2_hourly("t3.nano") == prices.rate("ec2.t3.nano") == 0.0052
    assert pricing.ec2_hourly("x9.huge") is None
    assert pricing.ec2_size("r6i.xlarge") == (4.0, 32.0) and pricing.ec2_hourly("r6i.xlarge") == 0.252
    # a size without a price on file still sizes the alternatives (every type on file is priced in
    # us-east-1 now, so one is made here)
    monkeypatch.setitem(prices.data()["ec2"]["types"], "zz1.xlarge", {"vcpu": 4, "memory_gib": 32, "linux_hour": {}})
    assert pricing.ec2_size("zz1.xlarge") == (4.0, 32.0) and pricing.ec2_hourly("zz1.xlarge") is None
    # one table: every priced instance type has its size beside its price
    for name, spec in prices.data()["ec2"]["types"].items():
        assert spec["vcpu"] > 0 and spec["memory_gib"] > 0, name


# --------------------------------------------------------------------------------------------------
# Cost lines
# --------------------------------------------------------------------------------------------------


def test_ec2_always_on():
    hourly = prices.rate("ec2.t3.medium")
    line = pricing.ec2_always_on("t3.medium")
    assert line.option == "current: 1 x t3.medium always on"
    assert line.monthly_usd == pytest.approx(hourly * HOURS)
    assert line.assumptions == [f"t3.medium Linux on-demand ${hourly}/h x 730 h/month",
                                "excludes EBS storage, public IPv4 and data transfer"]
    two = pricing.ec2_always_on("t3.medium", count=2, option="two hosts")
    assert two.option == "two hosts"
    assert two.monthly_usd == pytest.approx(2 * hourly * HOURS)
    assert two.assumptions[0] == f"t3.medium Linux on-demand ${hourly}/h x 730 h/month x 2 instances"


def test_ec2_always_on_without_a_price_is_unknown():
    line = pricing.ec2_always_on("x9.huge")
    assert (line.option, line.monthly_usd, line.assumptions) == (
        "current: 1 x x9.huge always on", None, ["no on-demand price on file for x9.huge in us-east-1"])
    line = pricing.ec2_always_on(Unknown("parameter Type has no Default"))
    assert (line.option, line.monthly_usd, line.assumptions) == (
        "current: EC2 instance of unknown type, always on", None, ["instance type could not be resolved"])


@pytest.mark.parametrize("arch,label", [(None, "x86_64"), ("x86_64", "x86_64"), ("arm64", "arm64")])
def test_lambda_job(arch, label):
    gb_s, req = price("price.lambda_gb_second", label), price("price.lambda_request")
    line = pricing.lambda_job(730, 720, 2048, arch, option="Lambda 2048 MB")
    assert line.option == "Lambda 2048 MB"
    assert line.monthly_usd == pytest.approx(730 * (req + 720 * 2 * gb_s))
    assert line.assumptions == [
        f"730.0 runs/month x 720 s at 2048 MB ({label})",
        f"${gb_s:.10f}".rstrip("0") + f"/GB-s + ${req * 1e6:.2f}/M requests; free tier not subtracted",
    ]


def test_lambda_job_one_short_run():
    gb_s, req = price("price.lambda_gb_second", "x86_64"), price("price.lambda_request")
    line = pricing.lambda_job(1, 0.5, 128)
    assert line.option == "Lambda"
    assert line.monthly_usd == pytest.approx(req + 0.5 * 0.125 * gb_s)  # Lambda bills per ms: no minimum
    assert line.assumptions[0] == "1.0 runs/month x 0.5 s at 128 MB (x86_64)"


@pytest.mark.parametrize("arch,label", [(None, "x86_64"), ("arm64", "arm64")])
def test_fargate_job(arch, label):
    vcpu_h, gb_h = price("price.fargate_vcpu_hour", label), price("price.fargate_gb_hour", label)
    line = pricing.fargate_job(730, 720, 2, 4, arch)
    assert line.option == "Fargate task"
    assert line.monthly_usd == pytest.approx(730 * 720 / 3600 * (2 * vcpu_h + 4 * gb_h))
    assert line.assumptions == [f"730.0 runs/month x 720 s billed, 2 vCPU / 4 GB ({label})",
                                f"${vcpu_h:g}/vCPU-h + ${gb_h:g}/GB-h, 1-minute minimum"]


def test_fargate_job_bills_the_one_minute_minimum():
    assert facts.value("fargate.minimum_seconds") == 60
    vcpu_h, gb_h = price("price.fargate_vcpu_hour", "x86_64"), price("price.fargate_gb_hour", "x86_64")
    line = pricing.fargate_job(100, 10, 0.25, 0.5, option="short task")
    assert line.option == "short task"
    assert line.monthly_usd == pytest.approx(100 * 60 / 3600 * (0.25 * vcpu_h + 0.5 * gb_h))
    assert line.assumptions[0] == "100.0 runs/month x 60 s billed, 0.25 vCPU / 0.5 GB (x86_64)"


def test_scheduler_free_tier_then_per_invocation():
    table = prices.unit("scheduler_invocation")
    free, per = table.extra["free_per_month"], table.value
    terms = f"first {free / 1e6:g} M invocations/month free, then ${per * 1e6:.2f}/M"
    assert pricing.scheduler(1000) == 0.0
    assert pricing.scheduler(free) == 0.0
    assert pricing.scheduler(free + 2_000_000) == pytest.approx(2_000_000 * per)
    line = pricing.scheduler_schedule(30.4)
    assert (line.option, line.monthly_usd) == ("EventBridge Scheduler", 0.0)
    assert line.assumptions == ["30.4 invocations/month", terms + " (per account and region)"]
    assert pricing.scheduler_schedule(free + 2_000_000).monthly_usd == pytest.approx(2_000_000 * per)


def test_scheduler_with_an_unreadable_schedule_is_unknown():
    table = prices.unit("scheduler_invocation")
    line = pricing.scheduler_schedule(None, option="schedule")
    assert (line.option, line.monthly_usd) == ("schedule", None)
    assert line.assumptions == [
        "runs per month unknown (schedule could not be read)",
        f"first {table.extra['free_per_month'] / 1e6:g} M invocations/month free, then ${table.value * 1e6:.2f}/M"]


@pytest.mark.parametrize("arch,label", [(None, "x86_64"), ("arm64", "arm64")])
def test_provisioned_concurrency(arch, label):
    pc = price("price.lambda_pc_gb_second", label)
    line = pricing.provisioned_concurrency(3, 1024, arch)
    assert line.option == "provisioned concurrency: 3 x 1024 MB"
    assert line.monthly_usd == pytest.approx(3 * 1 * SECONDS * pc)
    assert line.assumptions[0] == f"3 environment(s) x 1 GB x 2,628,000 s/month x ${pc:.10f}".rstrip("0") + \
        f"/GB-s ({label})"
    # one 2 GB x86 environment: the figure CF301's message quotes for a Java API at 2048 MB
    assert pricing.provisioned_concurrency(1, 2048).monthly_usd == pytest.approx(
        2 * SECONDS * price("price.lambda_pc_gb_second", "x86_64"))


def test_cost_line_to_dict_rounds_to_cents():
    line = pricing.lambda_job(1, 900, 128)
    assert line.to_dict() == {"option": "Lambda", "monthly_usd": round(line.monthly_usd, 2),
                              "assumptions": line.assumptions}
    assert pricing.ec2_always_on(None).to_dict()["monthly_usd"] is None


def test_every_fargate_size_is_a_valid_combination():
    """The ECS task size table: 0.25 vCPU 0.5/1/2 GB, 0.5 vCPU 1-4 GB, 1 vCPU 2-8, 2 vCPU 4-16,
    4 vCPU 8-30 in 1 GB steps, 8 vCPU 16-60 in 4 GB steps, 16 vCPU 32-120 in 8 GB steps."""
    valid = dict(pricing.fargate_sizes())
    assert valid[0.25] == (0.5, 1.0, 2.0) and valid[0.5] == (1.0, 2.0, 3.0, 4.0)
    assert valid[4.0][0] == 8.0 and valid[4.0][-1] == 30.0 and len(valid[4.0]) == 23
    assert valid[8.0] == tuple(float(g) for g in range(16, 61, 4))
    assert valid[16.0] == tuple(float(g) for g in range(32, 121, 8))
    for vcpu in (0.1, 0.25, 0.3, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 20):
        for gb in (0.1, 0.5, 1, 1.5, 3, 7, 9, 17, 31, 45, 61, 100, 130):
            got_vcpu, got_gb = pricing.fargate_size(vcpu, gb)
            assert got_gb in valid[got_vcpu], (vcpu, gb)
    for mb in range(128, 10241, 64):
        vcpu, gb, _rule = pricing.fargate_for_lambda(mb)
        assert gb in valid[vcpu] and gb * 1024 >= mb, mb


@pytest.mark.parametrize("mb,size", [
    (128, (0.25, 0.5)),
    (512, (0.25, 0.5)),  # 0.29 vCPU: nearest 0.25, which takes 0.5 GB (0.5 vCPU needs 1 GB)
    (1024, (0.5, 1.0)),  # 0.58 vCPU: nearest 0.5, not up to 1
    (1769, (1.0, 2.0)),
    (4096, (2.0, 4.0)),  # 2.3 vCPU: nearest 2, not 4 vCPU / 8 GB
    (10240, (4.0, 10.0)),  # 5.8 vCPU: nearest 4 (8 is further), 10 GB of 8-30
])
def test_fargate_for_lambda_rounds_to_the_nearest_size(mb, size):
    vcpu, gb, rule = pricing.fargate_for_lambda(mb)
    assert (vcpu, gb) == size
    assert f"{mb:,} MB / 1,769 MB per vCPU" in rule and "fargate-tasks-size" in rule


def test_runs_count_every_schedule_and_say_what_is_not_counted():
    from computefit import model as m
    from computefit.schedules import parse_aws as parse

    def trig(kind, name, expr=None):
        return m.Trigger(kind, name, "x", m.Location("t.yaml", 1), schedule=parse(expr) if expr else None)

    unit = m.ComputeUnit(m.LAMBDA_FUNCTION, "Fn", "AWS::Lambda::Function", m.Location("t.yaml", 1), "cloudformation",
                         triggers=[trig(m.SCHEDULE, "Every5", "rate(5 minutes)"), trig(m.SQS, "Jobs")])
    runs = pricing.lambda_runs(unit)
    assert runs.per_month == pytest.approx(8760) and runs.lower_bound
    assert runs.notes[0] == "8,760.0 runs/month from schedule Every5 (rate(5 minutes))"
    assert "a lower bound: invocations by SQS Jobs are not in the code" in runs.notes[1]
    unit.triggers = [trig(m.SQS, "Jobs")]
    runs = pricing.lambda_runs(unit)
    assert runs.per_month is None and "invocations by SQS Jobs are not in the code" in runs.notes[0]


def test_capped_runs_by_reserved_concurrency():
    runs, notes = pricing.capped_runs(14600, 900, 1)  # the 3,650 h in a 730 h month
    assert runs == pytest.approx(2920) and "reserved concurrency 1" in notes[0]
    assert runs * 900 / 3600 == pytest.approx(730)
    runs, notes = pricing.capped_runs(14600, 900, None)
    assert runs == 14600 and "keep 5.0 environments busy all month" in notes[0]
    assert pricing.capped_runs(10, 60, None) == (10, [])


def test_per_1000_runs_line_has_no_monthly_figure():
    line = pricing.per_1000_runs(pricing.lambda_job(1000, 900, 1024), ["runs per month unknown"])
    assert line.monthly_usd is None and line.per_1000_runs == pytest.approx(1000 * (900 * 0.0000166667 + 2e-7))
    assert line.assumptions[:2] == ["runs per month unknown", "per 1,000 runs: 900 s at 1024 MB (x86_64)"]
    assert line.to_dict()["per_1000_runs_usd"] == round(line.per_1000_runs, 4)
