variable "jobs" {
  default = { nightly = 900, hourly = 60 }
}

resource "terraform_data" "queue" {
  for_each = var.jobs
  input    = { name = "q-${each.key}", visibility = each.value }
}

resource "terraform_data" "fn" {
  count = 2
  input = { timeout = 10 * (count.index + 1) }
}

module "jobs" {
  source   = "./modules/job"
  for_each = var.jobs
  timeout  = each.value
  queue    = terraform_data.queue[each.key].output
}

resource "terraform_data" "wire" {
  input = [terraform_data.fn[0].id, module.jobs["nightly"].id]
  triggers_replace = { secret = sensitive("s3cr3t") }
}
