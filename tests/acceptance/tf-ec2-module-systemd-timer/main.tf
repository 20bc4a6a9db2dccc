terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "ap-southeast-2"
}

variable "vpc_id" {
  type    = string
  default = "vpc-0f00ba4c0ffee1234"
}

variable "private_subnet_id" {
  type    = string
  default = "subnet-0b1e2d3c4a5f60718"
}

variable "public_subnet_id" {
  type    = string
  default = "subnet-0e9d8c7b6a5f40312"
}

variable "office_cidr" {
  type    = string
  default = "203.0.113.0/24"
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

# ---------------------------------------------------------------------------
# Snapshot exporter: copies the nightly Aurora snapshot to the DR account.
# systemd timer instead of cron; nothing else runs on the box.
# ---------------------------------------------------------------------------

module "backup_runner" {
  source  = "terraform-aws-modules/ec2-instance/aws"
  version = "~> 5.6"

  name          = "dr-snapshot-exporter"
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.medium"
  subnet_id     = var.private_subnet_id

  create_iam_instance_profile = true
  iam_role_policies = {
    SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }

  user_data_base64            = base64encode(file("${path.module}/scripts/snapshot-exporter.sh"))
  user_data_replace_on_change = true

  root_block_device = [{
    volume_type = "gp3"
    volume_size = 30
  }]

  tags = {
    Team = "platform"
  }
}

# ---------------------------------------------------------------------------
# Ops bastion: SSH entry point from the office; patches itself weekly.
# ---------------------------------------------------------------------------

resource "aws_security_group" "bastion" {
  name        = "ops-bastion"
  description = "SSH from the office"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.office_cidr]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "bastion" {
  ami                         = data.aws_ami.al2023.id
  instance_type               = "t3.micro"
  subnet_id                   = var.public_subnet_id
  vpc_security_group_ids      = [aws_security_group.bastion.id]
  associate_public_ip_address = true

  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    dnf install -y cronie fail2ban
    sed -i 's/^#\?PasswordAuthentication.*/PasswordAuthentication no/' /etc/ssh/sshd_config
    sed -i 's/^#\?AllowTcpForwarding.*/AllowTcpForwarding yes/' /etc/ssh/sshd_config
    systemctl enable --now fail2ban crond
    systemctl restart sshd
    echo '0 4 * * 0 root dnf -y upgrade --security && needs-restarting -r || shutdown -r +5' > /etc/cron.d/security-updates
  EOT

  tags = {
    Name = "ops-bastion"
    Role = "bastion"
  }
}

resource "aws_eip" "bastion" {
  instance = aws_instance.bastion.id
  domain   = "vpc"
}
