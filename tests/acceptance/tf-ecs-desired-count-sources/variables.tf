variable "environment" {
  type    = string
  default = "prod"
}

variable "scheduler_replicas" {
  description = "Tasks of the scheduler service (keep at 1: the crontab is not safe to run twice)."
  type        = number
  default     = 1
}

variable "subnets" {
  type    = list(string)
  default = ["subnet-0aa11bb22cc33dd44"]
}
