#!/bin/bash
set -euo pipefail

dnf install -y awscli jq

cat > /usr/local/bin/export-snapshot.sh <<'SCRIPT'
#!/bin/bash
set -euo pipefail
latest=$(aws rds describe-db-cluster-snapshots --snapshot-type automated \
  --query 'reverse(sort_by(DBClusterSnapshots,&SnapshotCreateTime))[0].DBClusterSnapshotArn' --output text)
aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier "$latest" \
  --target-db-cluster-snapshot-identifier "dr-$(date +%F)" --kms-key-id alias/dr-export --copy-tags
aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier "dr-$(date +%F)" \
  --attribute-name restore --values-to-add 210987654321
SCRIPT
chmod 0755 /usr/local/bin/export-snapshot.sh

cat > /etc/systemd/system/snapshot-export.service <<'UNIT'
[Unit]
Description=Copy the latest Aurora snapshot to the DR account

[Service]
Type=oneshot
ExecStart=/usr/local/bin/export-snapshot.sh
UNIT

cat > /etc/systemd/system/snapshot-export.timer <<'UNIT'
[Unit]
Description=Nightly DR snapshot export

[Timer]
OnCalendar=*-*-* 02:30:00
Persistent=true

[Install]
WantedBy=timers.target
UNIT

systemctl daemon-reload
systemctl enable --now snapshot-export.timer
