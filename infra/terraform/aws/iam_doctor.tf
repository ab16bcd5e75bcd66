# The doctor's role in this (the demo patient's) account: the doctor-access module, the same
# one every other patient account applies (see infra/terraform/examples/two-accounts). It
# trusts the doctor's Google service account only, by unique id and token audience, and may
# only read the allowed log groups.
module "doctor_access" {
  source = "../modules/doctor-access"

  role_name                        = var.doctor_role_name
  google_service_account_unique_id = var.google_service_account_unique_id
  token_audience                   = var.token_audience
  log_groups                       = local.doctor_log_groups
  can_list_log_groups              = var.doctor_can_list_log_groups
}

# The resources lived in this root before the module: an existing deployment keeps its role
# (no destroy and re-create) when it applies this version.
moved {
  from = aws_iam_role.doctor
  to   = module.doctor_access.aws_iam_role.doctor
}

moved {
  from = aws_iam_role_policy.doctor_read_logs
  to   = module.doctor_access.aws_iam_role_policy.doctor_read_logs
}

moved {
  from = aws_iam_role_policy.doctor_list_log_groups
  to   = module.doctor_access.aws_iam_role_policy.doctor_list_log_groups
}
