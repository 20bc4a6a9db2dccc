provider "aws" {
  region = "us-east-1"
}

resource "aws_instance" "search" {
  ami           = "ami-0c02fb55956c7d316"
  instance_type = "r6i.large"
}

resource "aws_instance" "builder" {
  ami           = "ami-0c02fb55956c7d316"
  instance_type = "c7i.large"
}

resource "aws_instance" "bastion" {
  ami           = "ami-0c02fb55956c7d316"
  instance_type = "t3a.large"
}

resource "aws_instance" "cache" {
  ami           = "ami-0c02fb55956c7d316"
  instance_type = "r5.xlarge"
}

resource "aws_instance" "arm_api" {
  ami           = "ami-0c02fb55956c7d316"
  instance_type = "m7g.large"
}

resource "aws_launch_template" "web" {
  name_prefix   = "web-"
  image_id      = "ami-0c02fb55956c7d316"
  instance_type = "m7i.xlarge"
}

resource "aws_autoscaling_group" "web" {
  name             = "web"
  min_size         = 2
  max_size         = 2
  desired_capacity = 2
  vpc_zone_identifier = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}
