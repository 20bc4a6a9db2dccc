variable "boot" {
  default = "echo boot"
}

resource "aws_launch_template" "lt" {
  name_prefix   = "web-"
  instance_type = "m5.large"
  user_data     = base64encode(templatefile("${path.module}/boot.sh", { cmd = var.boot, secret = var.secret }))
}

variable "secret" {}

resource "aws_autoscaling_group" "web" {
  min_size          = 2
  max_size          = 10
  desired_capacity  = 3
  target_group_arns = [aws_lb_target_group.web.arn]
  launch_template {
    id      = aws_launch_template.lt.id
    version = "$Latest"
  }
}

resource "aws_lb_target_group" "web" {}

resource "aws_launch_configuration" "lc" {
  name          = "legacy-lc"
  instance_type = "c5.large"
  user_data     = "#!/bin/bash\necho legacy\n"
}

resource "aws_autoscaling_group" "legacy" {
  min_size             = 1
  max_size             = 1
  launch_configuration = aws_launch_configuration.lc.name
}

resource "aws_autoscaling_attachment" "legacy" {
  autoscaling_group_name = aws_autoscaling_group.legacy.id
  lb_target_group_arn    = aws_lb_target_group.web.arn
}

resource "aws_launch_template" "mixed" {
  name      = "mixed-lt"
  user_data = filebase64("${path.module}/boot.sh")
}

resource "aws_autoscaling_group" "mixed" {
  min_size = 0
  max_size = 5
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_name = "mixed-lt"
      }
      override {
        instance_type = "t3.large"
      }
      override {
        instance_type = "t3a.large"
      }
    }
  }
}

resource "aws_instance" "from_lt" {
  launch_template {
    name = aws_launch_template.lt.name_prefix
  }
}

resource "aws_instance" "lt_ref" {
  launch_template {
    id = aws_launch_template.lt.id
  }
}
