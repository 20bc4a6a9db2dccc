provider "aws" {
  region = "us-east-1"
}

# Status page: an Express app on a t3.micro, about 100,000 requests a month.
resource "aws_instance" "status_page" {
  ami                         = "ami-0c02fb55956c7d316"
  instance_type               = "t3.micro"
  associate_public_ip_address = true

  root_block_device {
    volume_type = "gp3"
    volume_size = 8
  }

  user_data = <<-EOT
    #!/bin/bash
    dnf install -y nodejs
    cd /opt/status && npm ci --omit=dev
    cat > /etc/systemd/system/status.service <<'UNIT'
    [Service]
    ExecStart=/usr/bin/node /opt/status/server.js
    Environment=PORT=80
    Restart=always
    [Install]
    WantedBy=multi-user.target
    UNIT
    systemctl enable --now status
  EOT
}

resource "aws_launch_template" "partner_api" {
  name_prefix   = "partner-api-"
  image_id      = "ami-0c02fb55956c7d316"
  instance_type = "t3.small"
  user_data = base64encode(<<-EOT
    #!/bin/bash
    dnf install -y nginx python3-pip
    pip3 install fastapi uvicorn
    nohup uvicorn partner.main:app --host 0.0.0.0 --port 8000 &
    systemctl enable --now nginx
  EOT
  )
}

# Partner API: one instance, kept at one by the group.
resource "aws_autoscaling_group" "partner_api" {
  name                = "partner-api"
  min_size            = 1
  max_size            = 1
  desired_capacity    = 1
  vpc_zone_identifier = ["subnet-0a1b2c3d"]

  launch_template {
    id      = aws_launch_template.partner_api.id
    version = "$Latest"
  }
}

# Public web fleet: three instances behind the load balancer.
resource "aws_autoscaling_group" "web" {
  name                = "web"
  min_size            = 3
  max_size            = 3
  desired_capacity    = 3
  vpc_zone_identifier = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  launch_template {
    id      = aws_launch_template.partner_api.id
    version = "$Latest"
  }
}
