#!/bin/bash
dnf install -y nginx
systemctl enable --now nginx
# rotate the access logs every night
echo '0 3 * * * root /usr/sbin/logrotate /etc/logrotate.d/nginx' > /etc/cron.d/nginx-logrotate
