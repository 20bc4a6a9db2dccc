from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from computefit import facts, pricing
from computefit import model as m
from computefit.check import HIGH, INFO, MEDIUM, Check, CheckContext, Finding, Option, Violation, setting_evidence
from computefit.checks.cf101_scheduled_job_on_always_on_server import _analyse, _fixed_count, _part_time
from computefit.pricing import CostLine

#: What a server serves requests with (computefit.workload's service kinds).
_SERVERS = ("web server", "app server")
#: Services that keep a server needed whatever its traffic: the finding would not hold.
_KEEPS = ("database", "VPN", "NAT", "CI runner", "message broker", "bastion", "proxy", "container host")


@dataclass
class LowTrafficServer(Violation):
    services: list  # the web and app servers its setup installs (workload.Service)
    requests: m.Setting  # monthly_requests of the usage file
    duration_ms: float
    duration: m.Setting | None  # request_duration_ms of the usage file; None: the option's
    memory_mb: int
    current: CostLine
    lambda_line: CostLine
    break_even: float
    confidence: str


class LowTrafficApiOnAlwaysOnServer(Check):
    """
    ## What it does
    Flags a single always-on EC2 instance (or an auto scaling group of fixed size 1) whose user
    data or `AWS::CloudFormation::Init` config installs a web or application server (nginx,
    Apache, Caddy, gunicorn, uvicorn, Node.js, Tomcat...) when the usage file says it serves fewer
    requests a month than the break-even at which Lambda behind an API Gateway HTTP API costs less.
    The finding prices both: the instance on demand plus the EBS volumes and public IPv4 address
    written in the source, against the requests x duration x memory on Lambda plus the HTTP API's
    request charge, and gives the break-even volume.

    It needs a usage file (`--usage-file`) giving the server's `monthly_requests` (a computefit
    key for servers) and, preferably, `request_duration_ms` (otherwise `assumed_request_ms`,
    stated). Without usage data it stays quiet: traffic is not in the code. It also stays quiet
    for a server that also runs a database, a container host, a VPN, NAT, a CI runner, a message
    broker, a proxy or a bastion (the server is needed whatever its traffic), for more than one
    instance, a group that scales or runs part-time under scheduled actions, and an instance type
    with no price on file (the break-even cannot be computed).

    ## Why is this bad?
    An always-on instance is billed 730 hours a month whether it serves one request or a million.
    A t3.micro serving 100,000 requests a month costs $7.59 (plus its volume and public address)
    where Lambda behind an HTTP API costs about $0.20 for the same requests (100 ms at 512 MB);
    the instance also needs patching, and one instance is one Availability Zone.

    ## Example
    ```yaml
    ApiServer:
      Type: AWS::EC2::Instance
      Properties:
        InstanceType: t3.micro
        UserData: !Base64 |
          #!/bin/bash
          dnf install -y nginx
          systemctl enable --now nginx
    ```
    with a usage file
    ```yaml
    version: 0.1
    resource_usage:
      ApiServer:
        monthly_requests: 100000
        request_duration_ms: 80
    ```
    ```hcl
    resource "aws_instance" "api" {
      instance_type = "t3.small"
      user_data     = file("install-gunicorn.sh")
    }
    ```

    ## Use instead
    Serve the API from Lambda behind an API Gateway HTTP API (an existing web application can run
    unchanged with the AWS Lambda Web Adapter), static files from S3 behind CloudFront; a request
    must finish within the HTTP API's 30 seconds. Then remove the instance, its volume and its
    address.

    The Lambda figure uses `lambda_memory_mb` of memory and the usage file's duration (or
    `assumed_request_ms`); free tiers, data transfer and the load balancer (if any) are not counted.

    ## Options
    - `assumed_request_ms`: the duration of one request when the usage file gives no
      `request_duration_ms` (default 100).
    - `lambda_memory_mb`: the memory of the Lambda function the cost assumes (default 512).

    ## References
    - [Lambda pricing](https://aws.amazon.com/lambda/pricing/)
    - [API Gateway pricing](https://aws.amazon.com/api-gateway/pricing/) (HTTP APIs)
    - [EC2 On-Demand pricing](https://aws.amazon.com/ec2/pricing/on-demand/)
    - [EBS pricing](https://aws.amazon.com/ebs/pricing/) and [public IPv4 pricing](https://aws.amazon.com/vpc/pricing/)
    - [AWS Lambda Web Adapter](https://github.com/awslabs/aws-lambda-web-adapter)
    - [HTTP API quotas](https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html) (30 s integration timeout)
    """

    id = "CF503"
    name = "low-traffic-api-on-always-on-server"
    severity = INFO
    summary = "Single always-on EC2 web or API server whose usage file gives less traffic than Lambda behind an HTTP API would cost"
    tags = ("aws", "ec2", "lambda", "api-gateway", "cost", "compute-model", "usage")
    confidence = MEDIUM  # the server is recognised from its user data; the duration may be assumed
    kinds = (m.EC2_INSTANCE, m.AUTO_SCALING_GROUP)
    options = {
        "assumed_request_ms": Option(100, "duration of one request (ms) when the usage file gives none", float),
        "lambda_memory_mb": Option(512, "memory (MB) of the Lambda function the cost assumes"),
    }

    applies_to = (m.EC2_INSTANCE, m.AUTO_SCALING_GROUP)

    def detect(self, unit: m.ComputeUnit, ctx: CheckContext) -> Iterable[LowTrafficServer]:
        usage = ctx.usage(unit)
        requests = usage.get("monthly_requests") if usage else None
        if requests is None:
            return  # traffic is not in the code
        instances = usage.get("instances")
        count = instances.value if instances is not None else (
            None if _part_time(unit) is not None else _fixed_count(unit))
        if count != 1:
            return
        found = _analyse(unit)
        servers = [s for s in found.services if s.kind in _SERVERS]
        if not servers or any(s.kind in _KEEPS for s in found.services):
            return
        itype = unit.value(m.INSTANCE_TYPE)
        hours = usage.get("monthly_hrs")
        month = pricing.hours_per_month()
        h = min(float(hours.value), month) if hours is not None else month
        current = pricing.ec2_hours(itype if isinstance(itype, str) else None, h, 1,
                                    f"current: {itype} EC2 instance" + (", always on" if hours is None
                                                                        else f", {h:g} h/month from the usage file"))
        if current.monthly_usd is None:
            return  # no price on file: no break-even
        current.assumptions.insert(0, pricing.input_note("instance type", unit.setting(m.INSTANCE_TYPE)))
        if hours is not None:
            current.assumptions.insert(1, pricing.input_note("hours a month", hours, f"{hours.value:g} h"))
        current.assumed = False  # always on, or the usage file's hours
        compute = current.monthly_usd
        extras = pricing.ec2_extras(unit, ctx.model, h)
        pricing.with_extras(current, extras)
        if extras.monthly_usd:
            current.assumptions.append(f"instance ${compute:,.2f} + volumes and address ${extras.monthly_usd:,.2f}")

        duration = usage.get("request_duration_ms")
        ms = float(duration.value) if duration is not None else float(ctx.option("assumed_request_ms"))
        memory = int(ctx.option("lambda_memory_mb"))
        arch = pricing.ec2_architecture(itype if isinstance(itype, str) else None)
        n = float(requests.value)
        line = _lambda_http_api(n, ms, memory, arch)
        line.assumed = duration is None  # the requests are the usage file's; the duration may be assumed
        line.assumptions[:0] = [
            f"{n:,.0f} requests/month from the usage file ({requests.location})",
            (pricing.input_note("request duration", duration, f"{ms:g} ms") if duration is not None else
             f"each request assumed to take {ms:g} ms (option assumed_request_ms; give request_duration_ms in "
             "the usage file)"),
            f"{memory} MB of memory (option lambda_memory_mb)"]
        per_request = _lambda_http_api(1, ms, memory, arch).monthly_usd
        break_even = current.monthly_usd / per_request
        if n >= break_even:
            return
        confidence = HIGH if duration is not None and not (found.placeholders or found.opaque or found.unreadable) \
            else MEDIUM
        yield LowTrafficServer(unit, servers, requests, ms, duration, memory, current, line, break_even, confidence)

    def explain(self, v: LowTrafficServer, ctx: CheckContext) -> Finding:
        unit = v.subject
        itype = unit.value(m.INSTANCE_TYPE)
        what = (f"an always-on {itype} EC2 instance" if unit.kind == m.EC2_INSTANCE
                else f"an auto scaling group of fixed size 1 ({itype})")
        served = " and ".join(dict.fromkeys(f"{'an' if s.kind[0] in 'aeiou' else 'a'} {s.kind} "
                                            f"({_short(s.evidence)})" for s in v.services))
        dur = f"{v.duration_ms:g} ms a request" + ("" if v.duration is not None else " (assumed)")
        cur, lam = v.current.monthly_usd, v.lambda_line.monthly_usd
        message = (f"{unit.name} is {what} running {served} for {v.requests.value:,.0f} "
                   f"requests a month (usage file): it costs ${cur:,.2f} a month, Lambda behind an HTTP API about "
                   f"${lam:,.2f} for the same requests at {dur}; below {_count(v.break_even)} requests a month "
                   "Lambda costs less.")
        recommendation = (
            "Serve the API from a Lambda function behind an API Gateway HTTP API (an existing web application can "
            "run unchanged with the AWS Lambda Web Adapter, https://github.com/awslabs/aws-lambda-web-adapter), "
            "static files from S3 behind CloudFront, then remove the instance"
            + (" and its volume and address" if unit.kind == m.EC2_INSTANCE else " group") + ". Check first that "
            "every request finishes within the HTTP API's 30 seconds and that the server keeps no state between "
            "requests (sessions, files on its disk).")
        usage = ctx.usage(unit)
        evidence: dict[str, Any] = {
            "instance_type": setting_evidence(unit.setting(m.INSTANCE_TYPE)),
            "services": [s.to_dict() for s in v.services],
            "usage": {k: setting_evidence(usage.get(k)) for k in sorted(usage.settings)},
            "request_duration_ms": v.duration_ms,
            "request_duration_from": "usage file" if v.duration is not None else "check option assumed_request_ms",
            "lambda_memory_mb": v.memory_mb,
            "break_even_requests_per_month": round(v.break_even),
        }
        for key in m.SERVER_STORAGE:
            if unit.setting(key) is not None:
                evidence[key] = setting_evidence(unit.setting(key))
        if unit.kind == m.AUTO_SCALING_GROUP:
            evidence["group_size"] = {k: setting_evidence(unit.setting(k))
                                      for k in (m.MIN_SIZE, m.MAX_SIZE, m.DESIRED_CAPACITY)}
        at = next((unit.setting(k) for k, _label in (("user_data", ""), ("init_config", ""))
                   if unit.setting(k) is not None), None)
        return self.finding(unit, message, recommendation, at=at, severity=INFO, confidence=v.confidence,
                            evidence=evidence, costs=[v.current, v.lambda_line])


def _lambda_http_api(requests: float, ms: float, memory: int, arch: str) -> CostLine:
    """``requests`` a month on Lambda behind an HTTP API."""
    line = pricing.lambda_job(requests, ms / 1000, memory, arch,
                              option=f"Lambda {memory} MB ({arch}) behind an HTTP API")
    api, note = pricing.http_api(requests)
    line.monthly_usd += api
    line.assumptions.append(note)
    return line


def _count(n: float) -> str:
    return f"about {n / 1e6:,.1f} million" if n >= 1e6 else f"about {n:,.0f}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
