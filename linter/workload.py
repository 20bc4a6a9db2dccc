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
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple

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
    #: Programs a boot script runs once in the foreground through a generic runner (``java -jar``,
    #: ``node x.js``, ``dotnet x.dll``) with nothing saying they listen: batch runs, not services
    #: (see _foreground_run).
    runs: list[str] = field(default_factory=list)


# A cron line: five time fields (or a macro) then the command; /etc/cron.d and /etc/crontab lines
# carry a user name before the command.
#
# Every pattern of this module runs on text written by others (up to the decompression budget of
# computefit.userdata), so each is linear: no two adjacent quantifiers can match the same text, no
# `\s*` at a line start spans blank lines, and no pattern rescans the rest of the text from every
# occurrence of a keyword (those searches are written as loops instead). tests/test_hostile_input.py
# holds an adversarial input for each; benchmarks/userdata_regex.py measures them.
_CRON_CHARS = r"\d*/,\-A-Za-z?LW#"
_CRON_FIELD = rf"[{_CRON_CHARS}]+"
_CRON_LINE = _lazy(
    rf"(?P<spec>@(?:yearly|annually|monthly|weekly|daily|midnight|hourly|reboot)|"
    # the lookbehind only skips starts inside a run of field characters, where no match can begin
    # that does not also begin at the start of the run: a search stays linear on a long token
    rf"(?<![{_CRON_CHARS}]){_CRON_FIELD}\s+{_CRON_FIELD}\s+{_CRON_FIELD}\s+{_CRON_FIELD}\s+{_CRON_FIELD})"
    rf"\s+(?P<rest>\S.*)"
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



def _then(first: str, then: str, flags: int = 0) -> Callable[[str], bool]:
    """Whether a line holds ``first`` and, after its first occurrence, ``then``: what the regex
    ``first[^\\n]*then`` finds, without rescanning the line from every occurrence of ``first``."""
    a, b = _lazy(first, flags), _lazy(then, flags)

    def search(line: str) -> bool:
        m = a.search(line)
        return m is not None and b.search(line, m.end()) is not None

    return search


def _any(*tests: Callable[[str], object]) -> Callable[[str], bool]:
    return lambda line: any(t(line) for t in tests)


_SERVICE_PATTERNS: list[tuple[str, Callable[[str], object]]] = [
    # "apache" alone or apache2 (the package and service names), not inside a host name, a path or
    # another package's name (archive.apache.org, apache-maven, /opt/apache-kafka)
    ("web server", _lazy(r"\b(nginx|httpd|caddy|lighttpd|haproxy|traefik|envoy)\b"
                         r"|(?<![\w./-])apache2?(?![\w./-])", re.I).search),
    ("database", _lazy(r"\b(mysqld?|mariadb(?:-server)?|postgres(?:ql)?(?:-server)?|mongod(?:b)?|redis-server|"
                            r"elasticsearch|opensearch|cassandra|memcached|influxdb|clickhouse)\b", re.I).search),
    ("app server", _lazy(r"\b(gunicorn|uwsgi|uvicorn|puma|unicorn|tomcat\d*|jetty|wildfly|pm2\s+start|"
                              r"node\s+\S+\.js|npm\s+(?:run\s+)?start|java\s+(?:-\S+\s+)*-jar|flask\s+run|"
                              r"rails\s+server|php-fpm|dotnet\s+\S+\.dll)\b", re.I).search),
    ("container host", _any(
        _then(r"docker\s+run\b", r"\s-d\b", re.I), _then(r"docker(?:-|\s)compose\b", r"\bup\b", re.I),
        _lazy(r"ECS_CLUSTER=|/etc/ecs/ecs\.config|\bkubelet\b|\bk3s\b|kubeadm\s+join|"
                   r"/etc/eks/bootstrap\.sh|\bnomad\s+agent\b|docker\s+swarm", re.I).search)),
    ("VPN", _lazy(r"\b(openvpn|wireguard|wg-quick|pritunl|strongswan|ipsec|softether|tailscale(?:d)?)\b", re.I).search),
    ("NAT", _lazy(r"(MASQUERADE|net\.ipv4\.ip_forward\s*=\s*1)", re.I).search),
    ("CI runner", _lazy(r"\b(gitlab-runner|actions-runner|config\.sh\s+--url|jenkins|buildkite-agent|"
                             r"teamcity|drone-runner)\b", re.I).search),
    ("message broker", _lazy(r"\b(rabbitmq-server|kafka-server-start|mosquitto|activemq|nats-server)\b", re.I).search),
    ("proxy", _lazy(r"\b(squid|tinyproxy|socat\s+TCP-LISTEN)\b", re.I).search),
]
# A generic program runner: what the "app server" pattern finds that says nothing about serving by
# itself (unlike gunicorn or tomcat). Run in the foreground of a boot script, with no sign that it
# listens, it is a job the script waits for (_foreground_run).
_GENERIC_RUNNER = _lazy(r"node\s+\S+\.js|java\s+(?:-\S+\s+)*-jar|dotnet\s+\S+\.dll", re.I)
# Kept running past the script: backgrounded, detached or handed to a process manager / unit file.
_DETACHED = _lazy(r"(?:[^&]&\s*$|\bnohup\b|\bsetsid\b|\bdisown\b|\bscreen\s+-d|\btmux\b|\bpm2\b|"
                       r"\bforever\b|start-stop-daemon|\bdaemonize\b|^\s*ExecStart\s*=)", re.I)
# A sign that the program listens: a port or bind option, a host:port, or a name that says so.
_LISTENS = _lazy(r"(?:\bport\b|--?p(?:ort)?[\s=]+\d|\bPORT=|--bind\b|--listen\b|:\d{2,5}\b|"
                      r"\b(?:server|serve|listen|http|https|web|api|app)\b)", re.I)
_SYSTEMCTL_SERVICE = _lazy(r"systemctl\s+(?:enable|start|restart)(?:\s+--now)?\s+([\w@.\-]+)", re.I)
_IGNORED_UNITS = _lazy(
    r"^(crond?|cronie|atd|amazon-ssm-agent|ssm-agent|amazon-cloudwatch-agent|awslogsd?|chronyd?|"
    r"sshd?|rsyslog|systemd-[\w-]+|docker|containerd|snapd|fail2ban|auditd|firewalld|ufw|"
    r"amazon-ecs-volume-plugin|cloud-init|logrotate|postfix|sendmail|nscd|tuned)(\.service)?$",
    re.I,
)
# ``while true; do ...; sleep N``: the loop head, then the first ``sleep N`` after it (_while_sleep).
_WHILE_DO = _lazy(r"while\s+(?:true|:|\[\s*1\s*\])\s*(?:;\s*)?do", re.I)
_SLEEP = _lazy(r"\bsleep\s+(?P<secs>[\d.]+[smhd]?)", re.I)
# A process left running in the background: ``Xvfb :0 &``, ``nohup ./server &`` (not ``&&``).
_BACKGROUND = _lazy(r"[^&]&\s*$")
# Scripts fetched at boot (_fetched_paths): ``aws s3 cp SRC /path``, ``curl ... -o /path``,
# ``wget ... -O /path``; and the lines that run a path (``bash /path``, ``. /path``).
_FETCH_START = _lazy(r"(?P<aws>aws\s+s3\s+cp\s+\S+\s+)(?=/)|(?P<curl>curl)\s+|(?P<wget>wget)\s+")
_FETCH_PATH = _lazy(r"/[\w./\-]+")
_FETCH_OPTION = {"curl": (_lazy("-o"), _lazy(r"\s*(?P<path>/[\w./\-]+)")),
                 "wget": (_lazy("-O"), _lazy(r"\s*(?P<path>/[\w./\-]+)"))}
_RUNS_PATH = _lazy(r"^[^\S\n]*(?:(?:\.|source|bash|sh|sudo|python3?)[^\S\n]*)?(/[\w./\-]+)(?=\s|$)", re.M)
_SCHTASKS = _lazy(r"schtasks(?:\.exe)?\s+/create\b(?P<args>.*)", re.I)
#: At most this many services (and scripts fetched at boot) are recorded per script: one is
#: enough to show the server is more than a cron host, and a list built from every line of a
#: hostile script would only cost time.
MAX_SERVICES = 20
#: At most this many cron lines are read per script (each costs a schedule evaluation); past it the
#: rest of the script is noted as not read, so no finding claims to know everything that runs.
MAX_CRON_LINES = 1000


def _is_cron_spec(spec: str) -> bool:
    if spec.startswith("@"):
        return True
    fields = spec.split()
    return len(fields) == 5 and all(_FIELD_OK.match(f) for f in fields) and any(
        any(c.isdigit() for c in f) or f == "*" for f in fields
    )


class _Budget:
    """Cron lines left to read in one script (shared by every reading of its parts)."""

    def __init__(self, lines: int = MAX_CRON_LINES) -> None:
        self.left = lines

    @property
    def spent(self) -> bool:
        return self.left <= 0


def _cron_jobs(text: str, cron_d: bool, in_cron_file: bool = False, budget: _Budget | None = None) -> list[Job]:
    """Cron lines of ``text``. ``in_cron_file``: the text is known to be a crontab (a heredoc into
    /etc/cron.d, an ``echo ... > /etc/cron.d/x``), so a line whose schedule is an unresolved
    ``${...}`` placeholder is still a job, with an unknown schedule. Reading stops when ``budget``
    is spent."""
    budget = budget or _Budget()
    jobs = []
    for raw in text.splitlines():
        if budget.spent:
            break
        line = raw.strip().strip("'\"")
        # strip shell wrappers such as: echo '...' >> /etc/crontab ; (crontab -l; echo "...") | crontab -
        last_cron = raw.rfind("cron")
        for m in re.finditer(r"""(?:echo|printf)\s+(?:-e\s+)?["']([^"']+)["']""", raw):
            inner = m.group(1).strip()
            if inner != raw.strip():
                jobs.extend(_cron_jobs(inner, cron_d=True, in_cron_file=last_cron >= m.end(), budget=budget))
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
        budget.left -= 1
        if unresolved:
            sched = Schedule(m.group("spec"), None, "unknown schedule (unresolved placeholder)")
        else:
            sched = schedules.parse_unix_cron(m.group("spec"))
        if sched.runs_per_day == 0.0:
            continue  # @reboot: runs at boot, not on a schedule
        jobs.append(Job(sched, rest.strip().strip("'\""), line[:200]))
    return jobs


# Here-documents: ``cat > FILE <<EOF`` / ``tee FILE <<EOF`` and ``cat <<EOF | tee FILE`` /
# ``cat <<EOF > FILE``; the body runs to the first later line that is the delimiter alone.
_HEREDOC_TO_FILE = _lazy(
    r"(?:cat|tee)[^\S\n]+(?:-a[^\S\n]+)?(?:>>?[^\S\n]*)?(?P<file>[^\s<]\S*?)[^\S\n]*<<-?[^\S\n]*"
    r"['\"]?(?P<tag>\w+)(?!\w)")
_HEREDOC_THEN_FILE = _lazy(
    r"(?:cat|tee)[^\S\n]+<<-?[^\S\n]*['\"]?(?P<tag>\w+)(?!\w)['\"]?[^\S\n]*"
    r"(?:\|[^\S\n]*(?:sudo[^\S\n]+)?tee[^\S\n]+(?:-a[^\S\n]+)?|>>?[^\S\n]*)(?P<file>\S+)")


def _heredoc_blocks(text: str) -> list[tuple[str, str]]:
    """(target file, content) of ``cat > FILE <<EOF ... EOF`` and ``tee FILE <<EOF`` blocks (then
    of ``cat <<EOF | tee FILE`` / ``cat <<EOF > FILE`` ones). A block's content leaves out the blank
    lines before its delimiter; a here-document inside another one's content is not a block."""
    lines = text.split("\n")
    starts = [0]  # offset of each line
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)
    delimiters: dict[str, list[int]] = {}  # delimiter word -> numbers of the lines that are it alone
    for i, ln in enumerate(lines):
        word = ln.strip()
        if re.fullmatch(r"\w+", word):
            delimiters.setdefault(word, []).append(i)
    out = []
    for pattern in (_HEREDOC_TO_FILE, _HEREDOC_THEN_FILE):
        pos = 0
        while True:
            m = pattern.search(text, pos)
            if m is None:
                break
            first = bisect_left(starts, m.end() + 1)  # the line after the opener's
            ends = delimiters.get(m.group("tag"), [])
            k = bisect_left(ends, first)
            if k == len(ends):
                pos = m.start() + 1  # no delimiter: not a here-document; look further on
                continue
            body = lines[first:ends[k]]
            while body and not body[-1].strip():
                body.pop()
            out.append((m.group("file"), "\n".join(body)))
            pos = starts[ends[k]] + len(lines[ends[k]])
    return out


class _Loop(NamedTuple):
    """One ``while true; do ... sleep N`` loop: its body (text and span in the script), the sleep
    as written, its seconds (None when unreadable) and the loop's text."""

    body: str
    start: int
    end: int
    secs_text: str
    seconds: float | None
    text: str


def _while_sleep(text: str) -> Iterator[_Loop]:
    """Each ``while true; do ... sleep N`` loop: the loop head and the first ``sleep N`` after it,
    without rescanning the text from every loop head."""
    sleeps = list(_SLEEP.finditer(text))
    sleep_starts = [s.start() for s in sleeps]
    pos = 0
    while True:
        w = _WHILE_DO.search(text, pos)
        if w is None:
            return
        k = bisect_left(sleep_starts, w.end())
        if k == len(sleeps):
            return  # no sleep after this loop head, nor after any later one
        s = sleeps[k]
        secs = s.group("secs")
        yield _Loop(text[w.end():s.start()], w.end(), s.start(), secs,
                    schedules.parse_duration(secs[:-1] if secs.endswith("s") else secs), text[w.start():s.end()])
        pos = s.end()


def _fetched_paths(text: str) -> list[str]:
    """Paths that ``aws s3 cp``, ``curl -o`` and ``wget -O`` write to."""
    out = []
    pos = 0
    dead = {"curl": -1, "wget": -1}  # end of a line known to hold no -o / -O path after the command
    while True:
        m = _FETCH_START.search(text, pos)
        if m is None:
            return out
        if m.group("aws"):
            path = _FETCH_PATH.match(text, m.end())
            out.append(path.group())
            pos = path.end()
            continue
        kind = "curl" if m.group("curl") else "wget"
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        found = None
        if line_end > dead[kind]:
            option, target = _FETCH_OPTION[kind]
            for o in option.finditer(text, m.end(), line_end):
                found = target.match(text, o.end())
                if found:
                    break
        if found is None:
            dead[kind] = line_end  # a later command on this line sees less of it: no path either
            pos = m.start() + 1
            continue
        out.append(found.group("path"))
        pos = found.end()


def _placeholders(text: str) -> list[str]:
    """The ``${...}`` parts of ``text`` (each up to its first ``}``), at most 20, sorted."""
    found = set()
    pos = 0
    while len(found) < 1000:
        i = text.find("${", pos)
        if i < 0:
            break
        j = text.find("}", i + 3)
        if j < 0:
            break  # no closing brace after this one, nor after any later one
        if text[i + 2] == "}":
            pos = i + 1
            continue
        found.add(text[i:j + 1])
        pos = j + 1
    return sorted(found)[:20]


def _foreground_run(lines: list[str], i: int, hit: re.Match) -> str | None:
    """The command of ``lines[i]`` (with its ``\\`` continuation lines) when the "app server" the
    line was taken for is only a generic runner (``java -jar``, ``node x.js``, ``dotnet x.dll``)
    run in the foreground, not detached (no ``&``, ``nohup``, pm2, unit file ``ExecStart=``), with
    no sign that it listens (a port or bind option, ``host:port``, ``server``/``serve``/``app``/
    ``web``/``api`` in the command): a boot script waits for such a program to finish, so it is a
    batch run, not a server. Else None."""
    if not _GENERIC_RUNNER.fullmatch(hit.group(0)):
        return None
    parts = [lines[i]]
    j = i
    while parts[-1].endswith("\\") and j + 1 < len(lines) and len(parts) < 50:
        j += 1
        parts.append(lines[j])
    command = " ".join(p.rstrip("\\").strip() for p in parts)
    if _DETACHED.search(command) or _LISTENS.search(command):
        return None
    return command


def analyse(text: str | None, names: list[str] | None = None, boot_script: bool = True) -> Workload:
    """Read a user data script (or rendered cfn-init config). ``names`` are the resource's name and
    Name tag, used as a weak service hint (bastion, nat, vpn). ``boot_script``: the text runs once
    at boot, so a generic runner in its foreground is a batch run (_foreground_run); a container's
    command is its long-running main process, where it is not."""
    wl = Workload()
    if not text:
        text = ""
    wl.placeholders = _placeholders(text)
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
    blocks = _heredoc_blocks(script)
    budget = _Budget()
    for target, body in blocks:
        if "/etc/cron" in target or "crontab" in target:
            for j in _cron_jobs(body, cron_d=True, in_cron_file=True, budget=budget):
                add(j)
        elif target.endswith(".timer"):
            for j in _timer_jobs(body, _timer_command(blocks, target)):
                add(j)
    for period in ("hourly", "daily", "weekly", "monthly"):
        for m in re.finditer(rf"/etc/cron\.{period}/([\w.\-]+)", script):
            add(Job(schedules.period_dir(period), f"/etc/cron.{period}/{m.group(1)}", m.group(0)))
    cron_context = bool(re.search(r"crontab|/etc/cron|cron\.d", script))
    for j in _cron_jobs(script, cron_d=True, budget=budget):
        if cron_context or j.schedule.expression.startswith("@"):
            add(j)
    if budget.spent:
        wl.opaque.append(f"over {MAX_CRON_LINES:,} cron lines: the rest of the script was not read")
    for j in _timer_jobs(script, None):
        add(j)
    loops = list(_while_sleep(script))
    for loop in loops:
        if loop.seconds and loop.seconds >= 60:
            body = " ".join(loop.body.split()).rstrip(";& ")[:120]
            add(Job(schedules.interval(loop.seconds, f"sleep {loop.secs_text}"), body, loop.text.split("\n")[0][:200]))
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
    numbered = [(m.start() + len(m.group()) - len(m.group().lstrip()), m.group().strip())
                for m in re.finditer(r"[^\n]+", script)]
    numbered = [(at, s) for at, s in numbered if s and not s.startswith("#")]
    lines = [s for _, s in numbered]
    # the body of a loop that sleeps a minute or more between runs is a job, not a server, even
    # when it starts one (`while :; do node export.js; sleep 1800; done`); a short sleep is a
    # restart loop around a server
    job_bodies = [(loop.start, loop.end) for loop in loops if (loop.seconds or 0) >= 60]

    def in_job_loop(i: int, found_at: int) -> bool:
        at = numbered[i][0] + found_at
        return any(a <= at < b for a, b in job_bodies)
    cron_lines: dict[int, bool] = {}

    def cron_job_line(i: int) -> bool:
        if i not in cron_lines:
            cron_lines[i] = _is_cron_job_line(lines[i])
        return cron_lines[i]

    for kind, found in _SERVICE_PATTERNS:
        for i, s in enumerate(lines):
            hit = found(s)
            if not hit or cron_job_line(i) or (job_bodies and in_job_loop(i, getattr(hit, "start", lambda: 0)())):
                continue  # a tool a cron job (or a sleeping loop) calls is not a service the server runs
            if kind == "web server" and re.search(r"\b(logrotate|/var/log/)", s) and not re.search(r"install|enable|start", s):
                continue
            if kind == "app server" and boot_script and (run := _foreground_run(lines, i, hit)) is not None:
                if len(wl.runs) < MAX_SERVICES:
                    wl.runs.append(run[:160])
                continue  # a batch run the boot script waits for, not a server
            wl.services.append(Service(kind, s[:160]))
            break
    for i, s in enumerate(lines):
        if len(wl.services) >= MAX_SERVICES:
            break
        if (_BACKGROUND.search(s) and not next(_while_sleep(s), None)
                and not re.search(r"\bwhile\b|\bdone\b", s) and not cron_job_line(i)):
            wl.services.append(Service("background process", s[:160]))
    run_paths = {m.group(1) for m in _RUNS_PATH.finditer(script)}
    for path in _fetched_paths(script):
        note = f"runs {path}, fetched at boot (its content is not visible)"
        if path in run_paths and note not in wl.opaque:
            wl.opaque.append(note)
            if len(wl.opaque) >= MAX_SERVICES:
                break
    timer_services = _timer_service_names(script)
    for m in _SYSTEMCTL_SERVICE.finditer(script):
        if len(wl.services) >= MAX_SERVICES:
            break
        unit = m.group(1)
        if unit.endswith(".timer") or _IGNORED_UNITS.match(unit):
            continue
        if any(unit in s.evidence for s in wl.services):
            continue
        if timer_services & {unit, unit.removesuffix(".service")}:
            continue  # the service a timer fires is the job, not a daemon
        wl.services.append(Service("system service", m.group(0)))
    for name in names or []:
        low = _CAMEL_BOUNDARY.sub(" ", str(name)).lower()  # BastionGroup -> bastion group
        for token, kind in (("bastion", "bastion"), ("jump", "bastion"), ("nat", "NAT"), ("vpn", "VPN")):
            if re.search(rf"(^|[^a-z]){token}([^a-z]|$)", low):
                wl.services.append(Service(kind, f"named {name}"))
                break
    return wl


_CAMEL_BOUNDARY = _lazy(r"(?<=[a-z0-9])(?=[A-Z])")
_ECHO_CRON = _lazy(r"""(?:echo|printf)\s+["'][^"'*]*\*[^"']*["']\s*(?:>>?|\|)""")


def _is_cron_job_line(line: str) -> bool:
    m = _CRON_LINE.search(line.strip().strip("'\""))
    if m and _is_cron_spec(m.group("spec")):
        return True
    return "cron" in line and bool(_ECHO_CRON.search(line))


def _timer_service_names(script: str) -> set[str]:
    names = set()
    for m in re.finditer(r"(?<![\w@.\-])([\w@.\-]+)\.timer", script):
        names.add(m.group(1))
        names.add(m.group(1) + ".service")
    return names


def _timer_command(blocks: list[tuple[str, str]], timer_path: str) -> str:
    """What a systemd timer runs: the ``ExecStart=`` of its ``.service`` (the unit of the same name,
    or the one named by ``Unit=``) when the script writes it (``blocks``: its here-documents), else
    the timer's own path."""
    service = timer_path.rsplit("/", 1)[-1].removesuffix(".timer") + ".service"
    for target, body in blocks:
        if target == timer_path:
            unit = re.search(r"^[^\S\n]*Unit[^\S\n]*=[^\S\n]*(\S+)", body, re.M)
            if unit:
                service = unit.group(1)
    for target, body in blocks:
        if target.rsplit("/", 1)[-1] == service:
            exec_start = re.search(r"^[^\S\n]*ExecStart[^\S\n]*=[^\S\n]*-?(.+)$", body, re.M)
            if exec_start:
                return exec_start.group(1).strip()
    return timer_path


def _timer_jobs(text: str, target: str | None) -> list[Job]:
    jobs = []
    for m in re.finditer(r"^[^\S\n]*OnCalendar[^\S\n]*=[^\S\n]*(.+)$", text, re.M):
        sched = schedules.parse_systemd_calendar(m.group(1))
        jobs.append(Job(sched, target or "systemd timer", m.group(0).strip()))
    for m in re.finditer(r"^[^\S\n]*OnUnitActiveSec[^\S\n]*=[^\S\n]*(.+)$", text, re.M):
        secs = schedules.parse_duration(m.group(1))
        sched = schedules.interval(secs, f"OnUnitActiveSec={m.group(1).strip()}") if secs else \
            schedules.Schedule(m.group(0).strip(), None, "unknown interval")
        jobs.append(Job(sched, target or "systemd timer", m.group(0).strip()))
    return jobs


def _items(value: object) -> list:
    return value if isinstance(value, list) else []


def _words(value: object) -> str:
    """A cloud-config command or package: a string, or a list of plain values joined by spaces."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(str(v) for v in value if isinstance(v, (str, int, float)) and not isinstance(v, bool))
    return ""


def _cloud_config(text: str) -> str | None:
    """A ``#cloud-config`` document rendered as a script (write_files as heredocs, runcmd lines).
    A document YAML cannot read is taken as a script."""
    if not text.lstrip().startswith("#cloud-config"):
        return None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader: plain data only
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    lines = []
    for pkg in _items(doc.get("packages")):
        lines.append(f"yum install -y {_words(pkg)}")
    for f in _items(doc.get("write_files")):
        if isinstance(f, dict) and isinstance(f.get("path"), str):
            content = f.get("content", "")
            lines += [f"cat > {f['path']} <<'EOF'", (content if isinstance(content, str) else "").rstrip("\n"), "EOF"]
    for cmd in _items(doc.get("runcmd")) + _items(doc.get("bootcmd")):
        lines.append(_words(cmd))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# Container commands (ECS task definitions): what the main process of a container runs
# --------------------------------------------------------------------------------------------------

SCHEDULER = "scheduler"  # a cron daemon or a sleep loop: runs a job now and then, idle in between
SERVER = "server"
WORKER = "worker"  # a queue worker: takes jobs as they come
JOB = "job"  # a program that runs to its end, in a task no service keeps running (the linker sets it)
OTHER = "other"

#: A cron daemon kept in the foreground (the container's main process): ``crond -f``, ``cron -f``,
#: ``busybox crond -f``, ``supercronic /etc/crontab``, ``go-crond``, ``ofelia daemon``.
_CRON_DAEMON = _lazy(r"(?:^|[\s/;&|'\"])(?:(?:busybox\s+)?crond?\s+(?:-\S+\s+)*-f\b|supercronic\b|go-crond\b|"
                          r"ofelia\s+daemon\b|yacron\b)", re.I)
_WORKERS = _lazy(r"\b(celery\b[^;&|]*\bworker|sidekiq|rq\s+worker|rqworker|huey_consumer|dramatiq|"
                      r"bull(?:mq)?|faktory|resque|shoryuken|delayed_job|jobs:work|queue:work|queue:listen|"
                      r"sqs[-_]?(?:worker|consumer|poller)|kafka[-_]?consumer|worker)\b", re.I)
_CRON_IMAGE = _lazy(r"(?:^|[/:_-])(?:cron|crond|supercronic|ofelia|scheduler)(?:$|[/:_.-])", re.I)


@dataclass
class ContainerProcess:
    kind: str  # SCHEDULER, SERVER, WORKER or OTHER
    evidence: str
    #: For a scheduler: the job it runs and its schedule when the command shows them (a sleep loop),
    #: else None (a cron daemon's crontab is usually baked into the image, out of sight).
    job: Job | None = None
    #: The image is named like a cron runner (``.../cron``, ``supercronic``): more weight, never the
    #: sole reason.
    cron_image: bool = False
    #: For a server: the command, when the server is only a generic runner run in the foreground
    #: with no sign that it listens (``node report.js``, see _foreground_run). Whether it is a
    #: server or a job then depends on what starts the task: a service, or a schedule / RunTask.
    run: str | None = None

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "evidence": self.evidence}
        if self.cron_image:
            out["cron_image"] = True
        if self.job is not None:
            out["job"] = self.job.to_dict()
        return out


def analyse_container(command: str, image: str | None = None) -> ContainerProcess:
    """What a container's command line (entry point then command, one text) runs: a scheduler (a
    cron daemon in the foreground, or a ``while true; ...; sleep N`` loop with N of a minute or
    more, whose job is then known), a server, a queue worker, or something else. The image name
    (``.../cron``, ``supercronic``) is kept as evidence, never as the sole reason."""
    text = command or ""
    named = isinstance(image, str) and bool(_CRON_IMAGE.search(image))
    wl = analyse(text, boot_script=False)
    mt = _CRON_DAEMON.search(text)
    if mt:
        # the crontab is usually baked into the image; one written by the command itself is read
        jobs = [j for j in wl.jobs if not j.schedule.expression.startswith("sleep ")]
        return ContainerProcess(SCHEDULER, f"runs a cron daemon in the foreground: {mt.group(0).strip(' ;&|')}",
                                jobs[0] if len(jobs) == 1 else None, named)
    loops = [j for j in wl.jobs if j.schedule.expression.startswith("sleep ")]
    if loops and not wl.services:
        j = loops[0]
        return ContainerProcess(SCHEDULER, f"runs a loop that sleeps between runs: {j.source.strip()}", j, named)
    mt = _WORKERS.search(text)
    if mt:
        return ContainerProcess(WORKER, f"runs a queue worker: {mt.group(0)}")
    if wl.services:
        kind = wl.services[0].kind
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        as_script = analyse(text)  # read as a script run once: a generic runner that exits is a run
        run = as_script.runs[0] if as_script.runs and not as_script.services else None
        return ContainerProcess(SERVER, f"runs {article} {kind}: {wl.services[0].evidence}", run=run)
    return ContainerProcess(OTHER, text[:160])


def one_shot(process: ContainerProcess, started_by: str) -> ContainerProcess:
    """``process`` of a container in a task that no service runs and ``started_by`` starts (a
    schedule, an EventBridge rule, a state machine's RunTask): a server that is only a generic
    runner with no sign of listening is a job that runs to its end; anything else is unchanged."""
    if process.kind != SERVER or process.run is None:
        return process
    return ContainerProcess(JOB, f"runs a one-shot job: {process.run} (the task is started by {started_by}; "
                                 "no service keeps it running)", process.job, process.cron_image)
