resource "aws_instance" "x" {
  instance_type = "t3.micro"
  user_data =
}
