# computefit:ignore CF201 -- the jobs module is reviewed
module "jobs" {
  source  = "./modules/jobs"
  timeout = 900
}

module "other" {
  source  = "./modules/jobs"
  timeout = 900
}

module "inside" {
  source  = "./modules/jobs"
  timeout = 900 # computefit:ignore CF201 -- inside the module block
}
