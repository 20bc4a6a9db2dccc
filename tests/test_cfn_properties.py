"""Property tests (Hypothesis): every CloudFormation intrinsic, and the schedule parsers, are total.

For generated arguments of any shape (wrong types and arity, huge and non-finite numbers, empty
delimiters, surrogates and control characters, intrinsics nested in intrinsics, references to
parameters, mappings and conditions that may or may not exist), ``Template.value``,
``Template.setting``, ``Template.render`` and ``Template.condition`` return a value or Unknown, never
raise, and rendered text stays within the bound. The schedule parsers return a Schedule for any text.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from computefit import schedules, workload
from computefit.cloudformation.intrinsics import MAX_RENDER, Template
from computefit.cloudformation.loader import CfnDict
from computefit.model import Setting, Unknown

FUNCTIONS = ["Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Base64", "Fn::Select",
             "Fn::Split", "Fn::FindInMap", "Fn::ImportValue", "Fn::GetAZs", "Fn::Equals", "Fn::And", "Fn::Or",
             "Fn::Not", "Fn::Cidr", "Fn::Transform", "Fn::ToJsonString", "Fn::Length", "Fn::ForEach"]
NAMES = ["Env", "Size", "List", "Loop", "M", "a", "b", "IsProd", "Missing", "AWS::Region", "AWS::NoValue", ""]

text = st.one_of(
    st.sampled_from(NAMES + ["${Env}", "${!Env}", "${", "}", ",", "", "${Env.Arn}", "a,b,c", "\ud800", "\x00\x07"]),
    st.text(max_size=20),
)
numbers = st.one_of(
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 2, 10 ** 4000]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text, st.just(Unknown("generated")))


def _intrinsic(children):
    return st.builds(lambda fn, arg: CfnDict({fn: arg}), st.sampled_from(FUNCTIONS),
                     st.one_of(children, st.lists(children, max_size=4)))


values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(text, children, max_size=3).map(CfnDict),
        _intrinsic(children),
    ),
    max_leaves=25,
)

templates = st.fixed_dictionaries({
    "Parameters": st.dictionaries(st.sampled_from(NAMES), st.fixed_dictionaries(
        {"Type": st.sampled_from(["String", "Number", "CommaDelimitedList", "List<String>",
                                  "AWS::SSM::Parameter::Value<String>", 5])},
        optional={"Default": values}), max_size=4),
    "Mappings": st.dictionaries(st.sampled_from(NAMES), st.dictionaries(
        st.sampled_from(NAMES), st.dictionaries(st.sampled_from(NAMES), values, max_size=3), max_size=3), max_size=2),
    "Conditions": st.dictionaries(st.sampled_from(NAMES), values, max_size=3),
    "Resources": st.just({}),
})

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(templates, values)
def test_every_intrinsic_returns_a_value_or_unknown(data, value):
    tpl = Template("t.yaml", CfnDict(data))
    tpl.value(value)
    s = tpl.setting(value, 3)
    assert isinstance(s, Setting)
    rendered = tpl.render(value)
    assert isinstance(rendered, str) and len(rendered) <= MAX_RENDER
    for name in NAMES:
        assert tpl.condition(name) in (True, False, None)
    for name in NAMES:
        tpl.param_default(name)
    tpl.find_in_map(value)


@SETTINGS
@given(values)
def test_every_intrinsic_alone_in_a_template(value):
    tpl = Template("t.yaml", CfnDict({"Resources": {}, "Conditions": {"C": value}, "Parameters": {
        "P": {"Type": "String", "Default": value}}, "Mappings": {"M": {"a": {"b": value}}}}))
    for fn in FUNCTIONS:
        for arg in (value, [value], [value, value], [value, value, value], ["C", value, value], ["M", "a", "b"]):
            wrapped = CfnDict({fn: arg})
            assert isinstance(tpl.render(wrapped), str)
            tpl.value(wrapped)
            tpl.setting(wrapped, 1)


schedule_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, b: f"rate({a} {b})", st.text(max_size=6), st.sampled_from(["minute", "minutes", "hours", "day", "x"])),
    st.builds(lambda f: "cron(" + " ".join(f) + ")", st.lists(
        st.one_of(st.sampled_from(["*", "?", "L", "W", "1-5", "*/0", "0/15", "MON-FRI", "2#1", "5L", "99", "-1", "²"]),
                  st.text(alphabet="0123456789*/,-?LW#", max_size=6)), min_size=0, max_size=7)),
    st.builds(lambda d, t: f"{d} *-*-* {t}", st.sampled_from(["Mon..Xyz", "Mon..Fri", "Sat,Sun", "mon..", ".."]),
              st.text(alphabet="0123456789:*/.,", max_size=10)),
)


@settings(max_examples=600, deadline=None)
@given(schedule_text)
def test_schedule_parsers_never_raise(expr):
    for parse in (schedules.parse_aws, schedules.parse_systemd_calendar, schedules.parse_unix_cron):
        s = parse(expr)
        assert isinstance(s, schedules.Schedule)
        assert s.runs_per_day is None or s.runs_per_day >= 0
        assert s.invalid is None or s.runs_per_day is None
    d = schedules.parse_duration(expr)
    assert d is None or d > 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["cat > /etc/cron.d/x <<EOF", "EOF", "0 3 * * * root /x.sh", "OnCalendar=Mon..Xyz",
                     "OnCalendar=*-*-* 99:00", "OnUnitActiveSec=0", "while true; do", "sleep 0", "done &",
                     "curl -o /x.sh u", "bash /x.sh", "#cloud-config", "runcmd: 5", "${X}", "cron(99 99 * * ? *)",
                     "echo '* * * * * x' >> /etc/crontab", "schtasks /create /sc", "systemctl enable x"]),
    st.text(max_size=30)), max_size=12))
def test_workload_analysis_never_raises(lines):
    wl = workload.analyse("\n".join(lines), ["name"])
    for job in wl.jobs:
        assert job.schedule.runs_per_day is None or job.schedule.runs_per_day >= 0


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.binary(max_size=200).map(lambda b: b"\x1f\x8b" + b)),
       st.text(max_size=60))
def test_user_data_decoding_never_raises(raw, text):
    from computefit import userdata

    for value in (userdata.decode_bytes(raw), userdata.decode_base64(text), userdata.decode_if_base64(text)):
        assert isinstance(value, (str, Unknown))
    out = userdata.gunzip(raw)
    assert isinstance(out, (bytes, Unknown))
