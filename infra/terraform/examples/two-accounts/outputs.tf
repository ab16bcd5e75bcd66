output "role_arns" {
  description = "The doctor's role in each account, by target name."
  value       = { for t in local.targets : t.name => t.access.role_arn }
}

output "doctor_targets_toml" {
  description = "DOCTOR_TARGETS_FILE for the doctor: terraform output -raw doctor_targets_toml > targets.toml"
  value       = templatefile("${path.module}/targets.toml.tftpl", { targets = local.targets })
}
