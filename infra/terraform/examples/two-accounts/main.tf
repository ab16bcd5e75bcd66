# One doctor, two patient AWS accounts: the doctor-access module applied in each, both trusting
# the same Google service account. A third account is a third provider and a third module call.
module "prod" {
  source = "../../modules/doctor-access"
  providers = {
    aws = aws.prod
  }

  google_service_account_unique_id = var.google_service_account_unique_id
  token_audience                   = var.token_audience
  role_name                        = var.role_name
  log_groups                       = var.prod.log_groups
}

module "staging" {
  source = "../../modules/doctor-access"
  providers = {
    aws = aws.staging
  }

  google_service_account_unique_id = var.google_service_account_unique_id
  token_audience                   = var.token_audience
  role_name                        = var.role_name
  log_groups                       = var.staging.log_groups
}

locals {
  # Target name => the module's target (role_arn, region, log_groups), in DOCTOR_TARGETS_FILE order.
  targets = [
    { name = var.prod.target, access = module.prod.target },
    { name = var.staging.target, access = module.staging.target },
  ]
}
