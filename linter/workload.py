"""What a server's user data (or cfn-init config) sets up: scheduled jobs and long-running services.

Reads shell scripts, cloud-init ``#cloud-config`` documents and PowerShell. It looks for the signals
listed in the knowledge base (section 6.3): crontab installs, ``/etc/cron.d`` files,
``/etc/cron.{hourly,daily,weekly,monthly}`` scripts, ``@daily`` macros, systemd timers
(``OnCalendar=``, ``OnUnitActiveSec=``), ``while true; ...; sleep N`` loops and ``schtasks /create``;
and for the services that make a server more than a cron host (web server, database, app server,
container host, VPN, bastion, NAT, CI runner).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import schedules
from .lazyre import LazyPattern as _lazy
from .schedules import Schedule


@dataclass
class Job:
    schedule: Schedule
    command: str
    source: str  # the line of the script it came from, trimmed

    def to_dict(self) -> dict:
        return {
            "schedule": self.schedule.expression,
            "description": self.schedule.description,
            "runs_per_day": None if self.schedule.runs_per_day is None else round(self.schedule.runs_per_day, 4),
            "command": self.command,
            "source": self.source,
        }


@dataclass
class Service:
    kind: str  # "web server", "database", ...
    evidence: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "evidence": self.evidence}


@dataclass
class Workload:
    jobs: list[Job] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # unresolved ${...} parts of the text
    #: Scripts fetched at boot and run (``aws s3 cp s3://.../setup.sh /x.sh; . /x.sh``): what they
    #: set up is not visible, so "nothing else runs here" cannot be certain.
    opaque: list[str] = field(default_factory=list)


# A cron line: five time fields (or a macro) then the command; /etc/cron.d and /etc/crontab lines
# carry a user name before the command.
_CRON_FIELD = r"[\d*/,\-A-Za-z?LW#]+"
_CRON_LINE = _lazy(
    rf"(?P<spec>@(?:yearly|annually|monthly|weekly|daily|midnight|hourly|reboot)|"
    rf"{_CRON_FIELD}\s+{_CRON_FIELD}\s+{_CRON_FIELD}\s+{_CRON_FIELD}\s+{_CRON_FIELD})\s+(?P<rest>\S.*)"
)
# A schedule left unresolved by the parsers: ``${CronSchedule} root /opt/job.sh`` or ``0 ${Hour} * * *``.
_PLACEHOLDER = r"\$\{[^}\s]+\}"
_PLACEHOLDER_CRON_LINE = _lazy(
    rf"(?P<spec>{_PLACEHOLDER}|(?:(?:{_CRON_FIELD}|{_PLACEHOLDER})\s+){{4}}(?:{_CRON_FIELD}|{_PLACEHOLDER}))"
    rf"\s+(?P<rest>\S.*)"
)
_FIELD_OK = _lazy(r"^[\d*/,\-]+$|^[\d*/,\-]*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
                       r"mon|tue|wed|thu|fri|sat|sun)[\w,\-]*$", re.I)
_USERS = {"root", "ec2-user", "ubuntu", "admin", "centos", "www-data", "nobody"}

_SERVICE_PATTERNS: list[tuple[str, _lazy]] = [
    ("web server", _lazy(r"\b(nginx|httpd|apache2?|caddy|lighttpd|haproxy|traefik|envoy)\b", re.I)),
    ("database", _lazy(r"\b(mysqld?|mariadb(?:-server)?|postgres(?:ql)?(?:-server)?|mongod(?:b)?|redis-server|"
                            r"elasticsearch|opensearch|cassandra|memcached|influxdb|clickhouse)\b", re.I)),
    ("app server", _lazy(r"\b(gunicorn|uwsgi|uvicorn|puma|unicorn|tomcat\d*|jetty|wildfly|pm2\s+start|"
                              r"node\s+\S+\.js|npm\s+(?:run\s+)?start|java\s+(?:-\S+\s+)*-jar|flask\s+run|"
                              r"rails\s+server|php-fpm|dotnet\s+\S+\.dll)\b", re.I)),
    ("container host", _lazy(r"(docker\s+run\b[^\n]*\s-d\b|docker(?:-|\s)compose\b[^\n]*\bup\b|"
                                  r"ECS_CLUSTER=|/etc/ecs/ecs\.config|\bkubelet\b|\bk3s\b|kubeadm\s+join|"
                                  r"/etc/eks/bootstrap\.sh|\bnomad\s+agent\b|docker\s+swarm)", re.I)),
    ("VPN", _lazy(r"\b(openvpn|wireguard|wg-quick|pritunl|strongswan|ipsec|softether|tailscale(?:d)?)\b", re.I)),
    ("NAT", _lazy(r"(MASQUERADE|net\.ipv4\.ip_forward\s*=\s*1)", re.I)),
    ("CI runner", _lazy(r"\b(gitlab-runner|actions-runner|config\.sh\s+--url|jenkins|buildkite-agent|"
                             r"teamcity|drone-runner)\b", re.I)),
    ("message broker", _lazy(r"\b(rabbitmq-server|kafka-server-start|mosquitto|activemq|nats-server)\b", re.I)),
    ("proxy", _lazy(r"\b(squid|tinyproxy|socat\s+TCP-LISTEN)\b", re.I)),
]
_SYSTEMCTL_SERVICE = _lazy(r"systemctl\s+(?:enable|start|restart)(?:\s+--now)?\s+([\w@.\-]+)", re.I)
_IGNORED_UNITS = _lazy(
    r"^(crond?|cronie|atd|amazon-ssm-agent|ssm-agent|amazon-cloudwatch-agent|awslogsd?|chronyd?|"
    r"sshd?|rsyslog|systemd-[\w-]+|docker|containerd|snapd|fail2ban|auditd|firewalld|ufw|"
    r"amazon-ecs-volume-plugin|cloud-init|logrotate|postfix|sendmail|nscd|tuned)(\.service)?$",
    re.I,
)
_WHILE_SLEEP = _lazy(r"while\s+(?:true|:|\[\s*1\s*\])\s*;?\s*do(?P<body>.*?)\bsleep\s+(?P<secs>[\d.]+[smhd]?)",
                          re.I | re.S)
# A process left running in the background: ``Xvfb :0 &``, ``nohup ./server &`` (not ``&&``).
_BACKGROUND = _lazy(r"[^&]&\s*$")
_FETCHED = _lazy(r"(?:aws\s+s3\s+cp\s+\S+\s+|curl\s+[^\n]*?-o\s*|wget\s+[^\n]*?-O\s*)(?P<path>/[\w./\-]+)")
_SCHTASKS = _lazy(r"schtasks(?:\.exe)?\s+/create\b(?P<args>.*)", re.I)


def _is_cron_spec(spec: str) -> bool:
    if spec.startswith("@"):
        return True
    fields = spec.split()
    return len(fields) == 5 and all(_FIELD_OK.match(f) for f in fields) and any(
        any(c.isdigit() for c in f) or f == "*" for f in fields
    )


def _cron_jobs(text: str, cron_d: bool, in_cron_file: bool = False) -> list[Job]:
    """Cron lines of ``text``. ``in_cron_file``: the text is known to be a crontab (a heredoc into
    /etc/cron.d, an ``echo ... > /etc/cron.d/x``), so a line whose schedule is an unresolved
    ``${...}`` placeholder is still a job, with an unknown schedule."""
    jobs = []
    for raw in text.splitlines():
        line = raw.strip().strip("'\"")
        # strip shell wrappers such as: echo '...' >> /etc/crontab ; (crontab -l; echo "...") | crontab -
        for m in re.finditer(r"""(?:echo|printf)\s+(?:-e\s+)?["']([^"']+)["']""", raw):
            inner = m.group(1).strip()
            if inner != raw.strip():
                jobs.extend(_cron_jobs(inner, cron_d=True, in_cron_file="cron" in raw[m.end():]))
        if line.startswith("#") or not line:
            continue
        m = _CRON_LINE.match(line)
        unresolved = False
        if not m or not _is_cron_spec(m.group("spec")):
            m = _PLACEHOLDER_CRON_LINE.match(line) if in_cron_file else None
            if not m or not re.search(_PLACEHOLDER, m.group("spec")):
                continue
            unresolved = True
        rest = m.group("rest").strip()
        parts = rest.split(None, 1)
        if cron_d and len(parts) == 2 and (parts[0] in _USERS or re.fullmatch(r"[a-z_][\w-]*", parts[0])):
            if parts[0] in _USERS or not parts[0].startswith("/"):
                rest = parts[1]
        if unresolved:
            sched = Schedule(m.group("spec"), None, "unknown schedule (unresolved placeholder)")
        else:
            sched = schedules.parse_unix_cron(m.group("spec"))
        if sched.runs_per_day == 0.0:
            continue  # @reboot: runs at boot, not on a schedule
        jobs.append(Job(sched, rest.strip().strip("'\""), line[:200]))
    return jobs


def _heredoc_blocks(text: str) -> list[tuple[str, str]]:
    """(target file, content) of ``cat > FILE <<EOF ... EOF`` and ``tee FILE <<EOF`` blocks."""
    out = []
    pat = re.compile(r"(?:cat|tee)\s+(?:-a\s+)?>?>?\s*(?P<file>\S+)\s*<<-?\s*['\"]?(?P<tag>\w+)['\"]?[^\n]*\n(?P<body>.*?)\n\s*(?P=tag)\s*$",
                     re.S | re.M)
    for m in pat.finditer(text):
        out.append((m.group("file"), m.group("body")))
    pat2 = re.compile(r"(?:cat|tee)\s+<<-?\s*['\"]?(?P<tag>\w+)['\"]?\s*(?:\|\s*(?:sudo\s+)?tee\s+(?:-a\s+)?|>>?\s*)(?P<file>\S+)[^\n]*\n(?P<body>.*?)\n\s*(?P=tag)\s*$",
                      re.S | re.M)
    for m in pat2.finditer(text):
        out.append((m.group("file"), m.group("body")))
    return out


def analyse(text: str | None, names: list[str] | None = None) -> Workload:
    """Read a user data script (or rendered cfn-init config). ``names`` are the resource's name and
    Name tag, used as a weak service hint (bastion, nat, vpn)."""
    wl = Workload()
    if not text:
        text = ""
    wl.placeholders = sorted(set(re.findall(r"\$\{[^}]+\}", text)))[:20]
    seen: set[tuple[str, str]] = set()

    def add(job: Job) -> None:
        key = (job.schedule.expression, job.source)
        if key not in seen:
            seen.add(key)
            wl.jobs.append(job)

    cloud = _cloud_config(text)
    script = text
    if cloud is not None:
        script = cloud
    for target, body in _heredoc_blocks(script):
        if "/etc/cron" in target or "crontab" in target:
            for j in _cron_jobs(body, cron_d=True, in_cron_file=True):
                add(j)
        elif target.endswith(".timer"):
            for j in _timer_jobs(body, _timer_command(script, target)):
                add(j)
    for period in ("hourly", "daily", "weekly", "monthly"):
        for m in re.finditer(rf"/etc/cron\.{period}/([\w.\-]+)", script):
            add(Job(schedules.period_dir(period), f"/etc/cron.{period}/{m.group(1)}", m.group(0)))
    cron_context = bool(re.search(r"crontab|/etc/cron|cron\.d", script))
    for j in _cron_jobs(script, cron_d=True):
        if cron_context or j.schedule.expression.startswith("@"):
            add(j)
    for j in _timer_jobs(script, None):
        add(j)
    for m in _WHILE_SLEEP.finditer(script):
        secs = schedules.parse_duration(m.group("secs").replace("s", "") if m.group("secs").endswith("s") else m.group("secs"))
        if secs and secs >= 60:
            body = " ".join(m.group("body").split()).rstrip(";& ")[:120]
            add(Job(schedules.interval(secs, f"sleep {m.group('secs')}"), body, m.group(0).split("\n")[0][:200]))
    for m in _SCHTASKS.finditer(script):
        args = m.group("args")
        sc = re.search(r"/sc\s+(\w+)", args, re.I)
        period = {"daily": 1.0, "hourly": 24.0, "weekly": 1 / 7, "monthly": 12 / 365, "minute": 1440.0}.get(
            sc.group(1).lower() if sc else "", None)
        sched = schedules.Schedule(f"schtasks {sc.group(1) if sc else ''}", period,
                                   f"Windows scheduled task ({sc.group(1).lower() if sc else 'unknown'})")
        tr = re.search(r"/tr\s+(\"[^\"]+\"|'[^']+'|\S+)", args, re.I)
        add(Job(sched, tr.group(1).strip("'\"") if tr else args.strip(), m.group(0)[:200]))

    # services
    for kind, pat in _SERVICE_PATTERNS:
        for line in script.splitlines():
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if _is_cron_job_line(s):
                continue  # a tool a cron job calls is not a service the server runs
            if kind == "web server" and re.search(r"\b(logrotate|/var/log/)", s) and not re.search(r"install|enable|start", s):
                continue
            mt = pat.search(s)
            if mt:
                wl.services.append(Service(kind, s[:160]))
                break
    for line in script.splitlines():
        s = line.strip()
        if (s and not s.startswith("#") and _BACKGROUND.search(s) and not _WHILE_SLEEP.search(s)
                and not re.search(r"\bwhile\b|\bdone\b", s) and not _is_cron_job_line(s)):
            wl.services.append(Service("background process", s[:160]))
    for m in _FETCHED.finditer(script):
        path = re.escape(m.group("path"))
        if re.search(rf"^\s*(?:\.|source|bash|sh|sudo|python3?)?\s*{path}(?:\s|$)", script, re.M):
            wl.opaque.append(f"runs {m.group('path')}, fetched at boot (its content is not visible)")
    for m in _SYSTEMCTL_SERVICE.finditer(script):
        unit = m.group(1)
        if unit.endswith(".timer") or _IGNORED_UNITS.match(unit):
            continue
        if any(unit in s.evidence for s in wl.services):
            continue
        if _timer_service_names(script) & {unit, unit.removesuffix(".service")}:
            continue  # the service a timer fires is the job, not a daemon
        wl.services.append(Service("system service", m.group(0)))
    for name in names or []:
        low = str(name).lower()
        for token, kind in (("bastion", "bastion"), ("jump", "bastion"), ("nat", "NAT"), ("vpn", "VPN")):
            if re.search(rf"(^|[^a-z]){token}([^a-z]|$)", low):
                wl.services.append(Service(kind, f"named {name}"))
                break
    return wl


def _is_cron_job_line(line: str) -> bool:
    m = _CRON_LINE.search(line.strip().strip("'\""))
    if m and _is_cron_spec(m.group("spec")):
        return True
    return bool(re.search(r"""(?:echo|printf)\s+["'][^"']*\*[^"']*["']\s*(?:>>?|\|)""", line)) and "cron" in line


def _timer_service_names(script: str) -> set[str]:
    names = set()
    for m in re.finditer(r"([\w@.\-]+)\.timer", script):
        names.add(m.group(1))
        names.add(m.group(1) + ".service")
    return names


def _timer_command(script: str, timer_path: str) -> str:
    """What a systemd timer runs: the ``ExecStart=`` of its ``.service`` (the unit of the same name,
    or the one named by ``Unit=``) when the script writes it, else the timer's own path."""
    service = timer_path.rsplit("/", 1)[-1].removesuffix(".timer") + ".service"
    for target, body in _heredoc_blocks(script):
        if target == timer_path:
            unit = re.search(r"^\s*Unit\s*=\s*(\S+)", body, re.M)
            if unit:
                service = unit.group(1)
    for target, body in _heredoc_blocks(script):
        if target.rsplit("/", 1)[-1] == service:
            exec_start = re.search(r"^\s*ExecStart\s*=\s*-?(.+)$", body, re.M)
            if exec_start:
                return exec_start.group(1).strip()
    return timer_path


def _timer_jobs(text: str, target: str | None) -> list[Job]:
    jobs = []
    for m in re.finditer(r"^\s*OnCalendar\s*=\s*(.+)$", text, re.M):
        sched = schedules.parse_systemd_calendar(m.group(1))
        jobs.append(Job(sched, target or "systemd timer", m.group(0).strip()))
    for m in re.finditer(r"^\s*OnUnitActiveSec\s*=\s*(.+)$", text, re.M):
        secs = schedules.parse_duration(m.group(1))
        sched = schedules.interval(secs, f"OnUnitActiveSec={m.group(1).strip()}") if secs else \
            schedules.Schedule(m.group(0).strip(), None, "unknown interval")
        jobs.append(Job(sched, target or "systemd timer", m.group(0).strip()))
    return jobs


def _cloud_config(text: str) -> str | None:
    """A ``#cloud-config`` document rendered as a script (write_files as heredocs, runcmd lines)."""
    if not text.lstrip().startswith("#cloud-config"):
        return None
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(doc, dict):
        return None
    lines = []
    for pkg in doc.get("packages") or []:
        lines.append(f"yum install -y {pkg if isinstance(pkg, str) else ' '.join(map(str, pkg))}")
    for f in doc.get("write_files") or []:
        if isinstance(f, dict) and "path" in f:
            lines += [f"cat > {f['path']} <<'EOF'", str(f.get("content", "")).rstrip("\n"), "EOF"]
    for cmd in (doc.get("runcmd") or []) + (doc.get("bootcmd") or []):
        lines.append(cmd if isinstance(cmd, str) else " ".join(map(str, cmd)))
    return "\n".join(lines) + "\n"
