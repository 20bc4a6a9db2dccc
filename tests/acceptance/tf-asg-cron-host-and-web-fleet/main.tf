terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "vpc_id" {
  type    = string
  default = "vpc-0a1b2c3d4e5f67890"
}

variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"]
}

variable "public_subnet_ids" {
  type    = list(string)
  default = ["subnet-0123aaaa4567bbbb8", "subnet-0cccc9999dddd0000"]
}

data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  reports_bucket = "acme-${var.environment}-ledger-reports"
}

# ===========================================================================
# Ledger reconciliation host. Kept in an ASG of exactly one so it comes back
# if the instance dies; runs the reconciliation script once a night.
# ===========================================================================

resource "aws_security_group" "reconciler" {
  name   = "ledger-reconciler-${var.environment}"
  vpc_id = var.vpc_id

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_launch_template" "reconciler" {
  name_prefix   = "ledger-reconciler-"
  image_id      = data.aws_ssm_parameter.al2023.value
  instance_type = "m6i.large"

  vpc_security_group_ids = [aws_security_group.reconciler.id]

  iam_instance_profile {
    name = "ledger-reconciler"
  }

  user_data = base64encode(templatefile("${path.module}/templates/reconciler.sh.tpl", {
    environment    = var.environment
    reports_bucket = local.reports_bucket
    run_hour       = 4
  }))

  tag_specifications {
    resource_type = "instance"
    tags = {
      Name = "ledger-reconciler-${var.environment}"
    }
  }
}

resource "aws_autoscaling_group" "reconciler" {
  name                = "ledger-reconciler-${var.environment}"
  min_size            = 1
  max_size            = 1
  desired_capacity    = 1
  vpc_zone_identifier = var.private_subnet_ids
  health_check_type   = "EC2"

  launch_template {
    id      = aws_launch_template.reconciler.id
    version = "$Latest"
  }

  tag {
    key                 = "Team"
    value               = "ledger"
    propagate_at_launch = true
  }
}

# ===========================================================================
# Storefront web fleet behind the public ALB, scales on CPU.
# ===========================================================================

resource "aws_security_group" "alb" {
  name   = "storefront-alb-${var.environment}"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "web" {
  name   = "storefront-web-${var.environment}"
  vpc_id = var.vpc_id

  ingress {
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "storefront" {
  name               = "storefront-${var.environment}"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = var.public_subnet_ids
}

resource "aws_lb_target_group" "web" {
  name     = "storefront-web-${var.environment}"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = var.vpc_id

  health_check {
    path    = "/healthz"
    matcher = "200"
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.storefront.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/6f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_launch_template" "web" {
  name_prefix   = "storefront-web-"
  image_id      = data.aws_ssm_parameter.al2023.value
  instance_type = "c7i.large"

  vpc_security_group_ids = [aws_security_group.web.id]

  user_data = base64encode(templatefile("${path.module}/templates/web.sh.tpl", {
    environment = var.environment
  }))
}

resource "aws_autoscaling_group" "web" {
  name                      = "storefront-web-${var.environment}"
  min_size                  = 2
  max_size                  = 12
  desired_capacity          = 3
  vpc_zone_identifier       = var.private_subnet_ids
  target_group_arns         = [aws_lb_target_group.web.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 120

  launch_template {
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
  }
}

resource "aws_autoscaling_policy" "web_cpu" {
  name                   = "storefront-web-cpu-target"
  autoscaling_group_name = aws_autoscaling_group.web.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = 55
  }
}
