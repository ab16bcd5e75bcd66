output "role_arn" {
  description = "The target's role_arn (AWS_ROLE_ARN for a single-account doctor)."
  value       = aws_iam_role.doctor.arn
}

output "role_name" {
  value = aws_iam_role.doctor.name
}

output "log_groups" {
  description = "The target's log_groups: exactly the groups the role may read."
  value       = var.log_groups
}

output "region" {
  description = "The target's region: the region of the provider the module was applied with."
  value       = local.region
}

output "account_id" {
  value = local.account_id
}

output "target" {
  description = "This account as a DOCTOR_TARGETS_FILE target: role_arn, region and log_groups."
  value = {
    role_arn   = aws_iam_role.doctor.arn
    region     = local.region
    log_groups = var.log_groups
  }
}

output "trust_policy" {
  description = "The role's trust policy (JSON), for checks."
  value       = aws_iam_role.doctor.assume_role_policy
}
