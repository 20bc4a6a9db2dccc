"""computefit.workload: what a server's user data or cfn-init config sets up (scheduled jobs from
crontabs, cron directories, systemd timers, sleep loops and Windows scheduled tasks; services that
make the server more than a cron host; unresolved placeholders; scripts fetched at boot)."""

from __future__ import annotations

import pytest
from conftest import REPO

from computefit import workload

DAYS = 365  # schedules are averaged over the non-leap reference year 2027 (52 Sundays)


def jobs(text: str, names=None) -> list[tuple[str, float | None, str, str]]:
    """(schedule expression, runs per day, command, source line) of every job found."""
    return [(j.schedule.expression, j.schedule.runs_per_day, j.command, j.source)
            for j in workload.analyse(text, names).jobs]


def services(text: str | None, names=None) -> list[tuple[str, str]]:
    return [(s.kind, s.evidence) for s in workload.analyse(text, names).services]


# --------------------------------------------------------------------------------------------------
# Scheduled jobs
# --------------------------------------------------------------------------------------------------


def test_cron_d_heredoc_strips_the_user_field():
    text = "#!/bin/bash\ncat > /etc/cron.d/etl <<'EOF'\nSHELL=/bin/bash\n15 2 * * * root /opt/etl/run.sh --full\nEOF\n"
    assert jobs(text) == [("15 2 * * *", 1.0, "/opt/etl/run.sh --full", "15 2 * * * root /opt/etl/run.sh --full")]


def test_echo_piped_into_crontab():
    assert jobs("#!/bin/bash\necho '0 */6 * * * /opt/sync.sh' | crontab -\n") == [
        ("0 */6 * * *", 4.0, "/opt/sync.sh", "0 */6 * * * /opt/sync.sh")]


def test_crontab_l_append_idiom():
    text = '#!/bin/bash\n(crontab -l 2>/dev/null; echo "30 3 * * 0 /usr/local/bin/backup") | crontab -\n'
    assert jobs(text) == [("30 3 * * 0", pytest.approx(52 / DAYS), "/usr/local/bin/backup",
                           "30 3 * * 0 /usr/local/bin/backup")]


def test_a_cron_line_outside_any_crontab_is_not_a_job():
    assert jobs("0 2 * * * /opt/x\n") == []


def test_macros_and_reboot():
    text = "#!/bin/bash\necho '@reboot root /opt/init.sh' > /etc/cron.d/init\necho '@daily root /opt/d.sh' > /etc/cron.d/d\n"
    assert jobs(text) == [("@daily", 1.0, "/opt/d.sh", "@daily root /opt/d.sh")]  # @reboot is not a schedule


def test_cron_directory_script():
    text = "#!/bin/bash\ncp /tmp/report /etc/cron.daily/report\nchmod +x /etc/cron.daily/report\n"
    assert jobs(text) == [("/etc/cron.daily", 1.0, "/etc/cron.daily/report", "/etc/cron.daily/report")]


def test_systemd_timer_runs_its_service_exec_start():
    text = ("#!/bin/bash\ncat > /etc/systemd/system/reindex.timer <<'EOF'\n[Timer]\nOnCalendar=*-*-* 04:30:00\nEOF\n"
            "cat > /etc/systemd/system/reindex.service <<'EOF'\n[Service]\nExecStart=/opt/reindex --full\nEOF\n"
            "systemctl enable --now reindex.timer\n")
    wl = workload.analyse(text)
    assert [(j.schedule.expression, j.schedule.runs_per_day, j.command, j.source) for j in wl.jobs] == [
        ("*-*-* 04:30:00", 1.0, "/opt/reindex --full", "OnCalendar=*-*-* 04:30:00")]
    assert wl.services == []  # the timer's service is the job, not a daemon


def test_systemd_timer_unit_names_another_service():
    text = ("#!/bin/bash\ncat > /etc/systemd/system/s.timer <<'EOF'\n[Timer]\nOnUnitActiveSec=15min\n"
            "Unit=other.service\nEOF\ncat > /etc/systemd/system/other.service <<'EOF'\n[Service]\n"
            "ExecStart=-/opt/other\nEOF\n")
    assert jobs(text) == [("OnUnitActiveSec=15min", 96.0, "/opt/other", "OnUnitActiveSec=15min")]


def test_workload_timer_without_service_keeps_timer_path():
    text = "cat > /etc/systemd/system/sync.timer <<'EOF'\n[Timer]\nOnUnitActiveSec=6h\nEOF\n"
    [job] = workload.analyse(text).jobs
    assert job.command == "/etc/systemd/system/sync.timer" and job.schedule.runs_per_day == 4.0


def test_sleep_loops_of_a_minute_or_more():
    assert jobs("#!/bin/bash\nwhile true; do /opt/poll.sh; sleep 5m; done\n") == [
        ("sleep 5m", 288.0, "/opt/poll.sh", "while true; do /opt/poll.sh; sleep 5m")]
    assert jobs("#!/bin/bash\nwhile true; do /opt/poll.sh; sleep 30; done &\n") == []  # a poller, not a schedule


def test_workload_sleep_loop_command_has_no_trailing_separator():
    wl = workload.analyse("#!/bin/bash\nnohup bash -c 'while true; do /opt/x.sh; sleep 3600; done' &\n")
    [job] = wl.jobs
    assert job.command == "/opt/x.sh" and job.schedule.runs_per_day == 24.0


def test_windows_scheduled_task():
    text = '<powershell>\nschtasks /create /sc daily /tn Report /tr "C:\\jobs\\report.exe" /st 02:00\n</powershell>\n'
    assert jobs(text) == [("schtasks daily", 1.0, "C:\\jobs\\report.exe",
                           'schtasks /create /sc daily /tn Report /tr "C:\\jobs\\report.exe" /st 02:00')]


def test_cloud_config_write_files_and_runcmd():
    text = ("#cloud-config\npackages:\n  - python3\nwrite_files:\n  - path: /etc/cron.d/mailer\n    content: |\n"
            "      0 9 * * 1-5 root /opt/mailer/send.py\nruncmd:\n  - systemctl restart crond\n")
    wl = workload.analyse(text)
    assert [(j.schedule.expression, j.command) for j in wl.jobs] == [("0 9 * * 1-5", "/opt/mailer/send.py")]
    assert wl.jobs[0].schedule.runs_per_day == pytest.approx(261 / DAYS)  # weekdays of 2027
    assert wl.services == []  # crond is the scheduler itself


def test_cloud_config_list_command_starts_a_service():
    assert services("#cloud-config\nruncmd:\n  - [systemctl, enable, --now, nginx]\n") == [
        ("web server", "systemctl enable --now nginx")]


def test_workload_placeholder_schedule_is_an_unknown_job():
    wl = workload.analyse("#!/bin/bash\necho '${Schedule} root /opt/x.sh' > /etc/cron.d/x\n")
    [job] = wl.jobs
    assert job.schedule.runs_per_day is None and job.command == "/opt/x.sh"
    assert wl.placeholders == ["${Schedule}"]
    wl = workload.analyse("#!/bin/bash\necho '0 ${Hour} * * * root /opt/x.sh' > /etc/cron.d/x\n")
    assert [j.schedule.expression for j in wl.jobs] == ["0 ${Hour} * * *"]
    # an echo that does not write a crontab is not a job
    assert workload.analyse("#!/bin/bash\necho '${Greeting} world' > /tmp/x\n").jobs == []


def test_job_to_dict_rounds_runs_per_day():
    [job] = workload.analyse("#!/bin/bash\necho '0 0 * * 0 root /opt/w.sh' > /etc/cron.d/w\n").jobs
    assert job.to_dict() == {"schedule": "0 0 * * 0", "description": "at 00:00, 1x/week",
                             "runs_per_day": round(52 / DAYS, 4), "command": "/opt/w.sh",
                             "source": "0 0 * * 0 root /opt/w.sh"}


# --------------------------------------------------------------------------------------------------
# Services: what makes the server more than a cron host
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("#!/bin/bash\nyum install -y nginx\n", [("web server", "yum install -y nginx")]),
    ("#!/bin/bash\ndocker run -d -p 80:80 myapp\n", [("container host", "docker run -d -p 80:80 myapp")]),
    ("#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n",
     [("container host", "echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config")]),
    ("#!/bin/bash\nsystemctl enable myapp\nsystemctl enable amazon-ssm-agent\n",
     [("system service", "systemctl enable myapp")]),  # agents are not the server's purpose
])
def test_services(text, expected):
    assert services(text) == expected


def test_tools_a_cron_job_calls_are_not_services():
    text = "#!/bin/bash\necho '0 1 * * * root mysqldump -h db mydb > /backup.sql' > /etc/cron.d/dump\n"
    assert services(text) == []
    assert jobs(text)[0][2] == "mysqldump -h db mydb > /backup.sql"


def test_log_rotation_of_a_web_server_log_is_not_a_web_server():
    assert services("#!/bin/bash\n/var/log/nginx logrotate\n") == []


def test_names_hint_at_a_service():
    assert services("", ["bastion-host"]) == [("bastion", "named bastion-host")]
    assert services(None, ["NationalStats", "my-vpn"]) == [("VPN", "named my-vpn")]  # "nat" must be a word
    # CamelCase names are words too: BastionGroup is a bastion, NatBox a NAT instance
    assert services(None, ["BastionGroup"]) == [("bastion", "named BastionGroup")]
    assert services(None, ["NatBox"]) == [("NAT", "named NatBox")]


def test_workload_background_process_is_a_service_and_fetched_scripts_are_opaque():
    text = ("#!/bin/bash\naws s3 cp s3://b/setup.sh /opt/setup.sh\n. /opt/setup.sh\n"
            "Xvfb :0 -screen 0 6x6x8 &\nnohup bash -c 'while true; do /opt/x.sh; sleep 3600; done' &\n"
            "make && make install\necho '0 1 * * * root /opt/x.sh' > /etc/cron.d/x\n")
    wl = workload.analyse(text)
    assert [(s.kind, s.evidence) for s in wl.services] == [("background process", "Xvfb :0 -screen 0 6x6x8 &")]
    assert wl.opaque == ["runs /opt/setup.sh, fetched at boot (its content is not visible)"]
    # a fetched file that only the cron job runs is not opaque setup
    assert workload.analyse((REPO / "examples/terraform/templates/invoice-batch.sh").read_text()).opaque == []


def test_empty_user_data_sets_up_nothing():
    for text in (None, ""):
        wl = workload.analyse(text)
        assert (wl.jobs, wl.services, wl.placeholders, wl.opaque) == ([], [], [], [])
