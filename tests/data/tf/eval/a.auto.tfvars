# auto tfvars override terraform.tfvars
memory = 512
