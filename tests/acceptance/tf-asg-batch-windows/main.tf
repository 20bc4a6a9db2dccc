# Data platform EC2 fleets (team: data-eng). Everything here runs in the "batch" VPC.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

# ---------------------------------------------------------------------------------------------
# Nightly clickstream sessionisation: four c5.2xlarge boxes between 01:00 and 05:00 UTC. Each
# instance picks a shard from the instance index and runs the Spark-less Python batch at boot.
# ---------------------------------------------------------------------------------------------
resource "aws_launch_template" "sessionize" {
  name_prefix   = "sessionize-"
  image_id      = data.aws_ami.al2023.id
  instance_type = "c5.2xlarge"

  iam_instance_profile {
    name = "sessionize-batch"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 200
      volume_type = "gp3"
    }
  }

  user_data = base64encode(templatefile("${path.module}/userdata/sessionize.sh.tpl", {
    input_bucket  = "acme-clickstream-raw"
    output_bucket = "acme-clickstream-sessions"
  }))
}

resource "aws_autoscaling_group" "sessionize" {
  name                = "sessionize-batch"
  min_size            = 0
  max_size            = 4
  desired_capacity    = 0
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    id      = aws_launch_template.sessionize.id
    version = "$Latest"
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }

  tag {
    key                 = "team"
    value               = "data-eng"
    propagate_at_launch = true
  }
}

resource "aws_autoscaling_schedule" "sessionize_start" {
  scheduled_action_name  = "sessionize-start"
  autoscaling_group_name = aws_autoscaling_group.sessionize.name
  recurrence             = "0 1 * * *"
  min_size               = 0
  max_size               = 4
  desired_capacity       = 4
}

resource "aws_autoscaling_schedule" "sessionize_stop" {
  scheduled_action_name  = "sessionize-stop"
  autoscaling_group_name = aws_autoscaling_group.sessionize.name
  recurrence             = "0 5 * * *"
  min_size               = 0
  max_size               = 0
  desired_capacity       = 0
}

# ---------------------------------------------------------------------------------------------
# Partner statements: one m5.large, switched on 02:00-04:00 UTC by scheduled actions to save
# money; cron runs the statement job at 02:30.
# ---------------------------------------------------------------------------------------------
resource "aws_launch_template" "statements" {
  name_prefix   = "statements-"
  image_id      = data.aws_ami.al2023.id
  instance_type = "m5.large"

  user_data = base64encode(<<-EOT
    #!/bin/bash
    set -euo pipefail
    dnf install -y cronie python3.11 python3.11-pip
    pip3.11 install --quiet acme-statements==4.2.0
    cat > /etc/cron.d/partner-statements <<'CRON'
    30 2 * * * ec2-user /usr/local/bin/acme-statements render --period yesterday --upload s3://acme-partner-statements/ >> /var/log/statements.log 2>&1
    CRON
    systemctl enable --now crond
  EOT
  )
}

resource "aws_autoscaling_group" "statements" {
  name                = "partner-statements"
  min_size            = 0
  max_size            = 1
  desired_capacity    = 0
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    id      = aws_launch_template.statements.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_schedule" "statements_on" {
  scheduled_action_name  = "statements-on"
  autoscaling_group_name = aws_autoscaling_group.statements.name
  recurrence             = "0 2 * * *"
  min_size               = 1
  max_size               = 1
  desired_capacity       = 1
}

resource "aws_autoscaling_schedule" "statements_off" {
  scheduled_action_name  = "statements-off"
  autoscaling_group_name = aws_autoscaling_group.statements.name
  recurrence             = "0 4 * * *"
  min_size               = 0
  max_size               = 0
  desired_capacity       = 0
}

# ---------------------------------------------------------------------------------------------
# Analytics query workers: business-hours scaling, never below 2.
# ---------------------------------------------------------------------------------------------
resource "aws_launch_template" "analytics" {
  name_prefix   = "analytics-"
  image_id      = data.aws_ami.al2023.id
  instance_type = "r5.xlarge"
  user_data     = base64encode(file("${path.module}/userdata/analytics.sh"))
}

resource "aws_autoscaling_group" "analytics" {
  name                = "analytics-workers"
  min_size            = 2
  max_size            = 10
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    id      = aws_launch_template.analytics.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_schedule" "analytics_morning" {
  scheduled_action_name  = "analytics-morning"
  autoscaling_group_name = aws_autoscaling_group.analytics.name
  recurrence             = "0 7 * * 1-5"
  time_zone              = "America/New_York"
  min_size               = 2
  max_size               = 10
  desired_capacity       = 6
}

resource "aws_autoscaling_schedule" "analytics_evening" {
  scheduled_action_name  = "analytics-evening"
  autoscaling_group_name = aws_autoscaling_group.analytics.name
  recurrence             = "0 19 * * 1-5"
  time_zone              = "America/New_York"
  min_size               = 2
  max_size               = 4
  desired_capacity       = 2
}

# ---------------------------------------------------------------------------------------------
# SSH bastion for the batch VPC: only up during the working day.
# ---------------------------------------------------------------------------------------------
resource "aws_launch_template" "bastion" {
  name_prefix   = "batch-bastion-"
  image_id      = data.aws_ami.al2023.id
  instance_type = "t3.micro"

  user_data = base64encode(<<-EOT
    #!/bin/bash
    sed -i 's/^#\?PasswordAuthentication.*/PasswordAuthentication no/' /etc/ssh/sshd_config
    sed -i 's/^#\?AllowTcpForwarding.*/AllowTcpForwarding yes/' /etc/ssh/sshd_config
    systemctl restart sshd
  EOT
  )
}

resource "aws_autoscaling_group" "bastion" {
  name                = "batch-bastion"
  min_size            = 0
  max_size            = 1
  desired_capacity    = 0
  vpc_zone_identifier = ["subnet-0public0000000001"]

  launch_template {
    id      = aws_launch_template.bastion.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_schedule" "bastion_up" {
  scheduled_action_name  = "bastion-up"
  autoscaling_group_name = aws_autoscaling_group.bastion.name
  recurrence             = "0 8 * * MON-FRI"
  time_zone              = "Europe/London"
  min_size               = 1
  max_size               = 1
  desired_capacity       = 1
}

resource "aws_autoscaling_schedule" "bastion_down" {
  scheduled_action_name  = "bastion-down"
  autoscaling_group_name = aws_autoscaling_group.bastion.name
  recurrence             = "0 17 * * MON-FRI"
  time_zone              = "Europe/London"
  min_size               = 0
  max_size               = 0
  desired_capacity       = 0
}
