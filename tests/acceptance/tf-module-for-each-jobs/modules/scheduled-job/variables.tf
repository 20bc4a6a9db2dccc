variable "name" {
  type = string
}

variable "description" {
  type    = string
  default = ""
}

variable "schedule" {
  description = "EventBridge Scheduler expression"
  type        = string
}

variable "timeout" {
  type    = number
  default = 30
}

variable "memory_size" {
  type    = number
  default = 128
}

variable "artifact" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}
