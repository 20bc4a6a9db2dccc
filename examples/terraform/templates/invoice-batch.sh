#!/bin/bash
set -euo pipefail
yum install -y jq awscli
mkdir -p /opt/invoices
aws s3 cp s3://${bucket}/bin/render-invoices /opt/invoices/render-invoices
chmod +x /opt/invoices/render-invoices
cat > /etc/cron.d/render-invoices <<CRON
0 6 * * 1 ec2-user /opt/invoices/render-invoices --env ${environment} >> /var/log/invoices.log 2>&1
CRON
