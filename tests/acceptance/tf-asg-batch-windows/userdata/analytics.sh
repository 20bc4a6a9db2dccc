#!/bin/bash
dnf install -y docker
systemctl enable --now docker
docker run -d --restart always -p 8080:8080 --name trino \
  123456789012.dkr.ecr.us-east-1.amazonaws.com/analytics/trino-worker:435
