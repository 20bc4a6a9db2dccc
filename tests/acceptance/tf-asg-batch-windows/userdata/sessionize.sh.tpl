#!/bin/bash
set -euo pipefail
TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
INSTANCE_ID=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)
dnf install -y python3.11 python3.11-pip
pip3.11 install --quiet acme-sessionize==2.7.1
/usr/local/bin/sessionize \
  --input s3://${input_bucket}/dt=$(date -u -d yesterday +%F)/ \
  --output s3://${output_bucket}/ \
  --shard-from-instance "$INSTANCE_ID" \
  >> /var/log/sessionize.log 2>&1
