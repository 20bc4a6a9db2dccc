# Finance reporting fleets built with the community autoscaling module (team: fin-data).

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  subnets = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
}

# Month-to-date P&L cube rebuild: 3 x m5.xlarge from 00:30 to 04:30 UTC every night.
module "pnl_cube" {
  source  = "terraform-aws-modules/autoscaling/aws"
  version = "7.4.1"

  name                = "pnl-cube-build"
  min_size            = 0
  max_size            = 3
  desired_capacity    = 0
  vpc_zone_identifier = local.subnets

  image_id      = "ami-0c7217cdde317cfec"
  instance_type = "m5.xlarge"
  user_data = base64encode(<<-EOT
    #!/bin/bash
    /opt/cube/bin/rebuild --as-of "$(date -u +%F)" --publish s3://acme-fin-cubes/pnl/
  EOT
  )

  schedules = {
    night_start = {
      min_size         = 0
      max_size         = 3
      desired_capacity = 3
      recurrence       = "30 0 * * *"
    }
    night_stop = {
      min_size         = 0
      max_size         = 0
      desired_capacity = 0
      recurrence       = "30 4 * * *"
    }
  }
}

# Ad-hoc query fleet: 1 at night, 4 in the working day; never 0.
module "query_fleet" {
  source  = "terraform-aws-modules/autoscaling/aws"
  version = "7.4.1"

  name                = "fin-query"
  min_size            = 1
  max_size            = 6
  desired_capacity    = 1
  vpc_zone_identifier = local.subnets

  image_id      = "ami-0c7217cdde317cfec"
  instance_type = "r5.large"

  schedules = {
    workday = {
      min_size         = 1
      max_size         = 6
      desired_capacity = 4
      recurrence       = "0 8 * * 1-5"
      time_zone        = "America/Chicago"
    }
    evening = {
      min_size         = 1
      max_size         = 6
      desired_capacity = 1
      recurrence       = "0 18 * * 1-5"
      time_zone        = "America/Chicago"
    }
  }
}
