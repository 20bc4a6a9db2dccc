#!/bin/bash
# Ledger reconciliation host bootstrap (rendered by Terraform templatefile()).
set -euo pipefail

dnf install -y python3.11 python3.11-pip cronie awscli
systemctl enable --now crond

install -d -o ec2-user -g ec2-user /opt/reconciler /var/log/reconciler
aws s3 cp "s3://${reports_bucket}/releases/reconciler.tar.gz" /tmp/reconciler.tar.gz
tar -xzf /tmp/reconciler.tar.gz -C /opt/reconciler
python3.11 -m pip install -r /opt/reconciler/requirements.txt

cat > /etc/cron.d/ledger-reconcile <<CRON
SHELL=/bin/bash
MAILTO=""
# Reconcile yesterday's ledger against the bank statements and publish the report.
30 ${run_hour} * * * ec2-user cd /opt/reconciler && python3.11 -m reconciler --env ${environment} --bucket ${reports_bucket} >> /var/log/reconciler/run.log 2>&1
CRON
chmod 0644 /etc/cron.d/ledger-reconcile
