#!/bin/bash
set -euo pipefail

dnf install -y nginx java-21-amazon-corretto-headless awscli cronie

install -d /opt/storefront /var/cache/storefront
aws s3 cp "s3://acme-${environment}-artifacts/storefront/storefront.jar" /opt/storefront/storefront.jar

cat > /etc/systemd/system/storefront.service <<UNIT
[Unit]
Description=Storefront
After=network-online.target

[Service]
User=ec2-user
Environment=SPRING_PROFILES_ACTIVE=${environment}
ExecStart=/usr/bin/java -Xmx2g -jar /opt/storefront/storefront.jar --server.port=8081
Restart=always

[Install]
WantedBy=multi-user.target
UNIT

cat > /etc/nginx/conf.d/storefront.conf <<'NGINX'
server {
    listen 8080;
    location /healthz { return 200; }
    location / { proxy_pass http://127.0.0.1:8081; }
}
NGINX

systemctl daemon-reload
systemctl enable --now storefront nginx crond

# Housekeeping: purge rendered page cache older than a day.
echo '15 3 * * * root find /var/cache/storefront -type f -mtime +1 -delete' > /etc/cron.d/storefront-cache-purge
