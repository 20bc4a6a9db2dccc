module "again" {
  source = "../loop"
}

resource "aws_instance" "looped" {
  instance_type = "t3.micro"
}
