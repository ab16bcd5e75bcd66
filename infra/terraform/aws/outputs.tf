output "doctor_role_arn" {
  description = "AWS_ROLE_ARN of the doctor (infra/terraform/gcp computes the same ARN from aws_account_id and doctor_role_name)."
  value       = module.doctor_access.role_arn
}

output "log_group_name" {
  description = "AWS_LOG_GROUP_NAME of the doctor."
  value       = aws_cloudwatch_log_group.chaos_app.name
}

output "log_group_arn" {
  value = aws_cloudwatch_log_group.chaos_app.arn
}

output "doctor_allowed_log_groups" {
  description = "DOCTOR_ALLOWED_LOG_GROUPS of the doctor (comma-joined)."
  value       = join(",", module.doctor_access.log_groups)
}

output "ecr_repository_url" {
  description = "Push the chaos-app image here: docker push <url>:<tag>."
  value       = aws_ecr_repository.chaos_app.repository_url
}

output "instance_id" {
  value = aws_instance.patient.id
}

output "instance_role_arn" {
  value = aws_iam_role.instance.arn
}

output "account_id" {
  description = "aws_account_id for infra/terraform/gcp."
  value       = local.account_id
}

output "alarm_arn" {
  description = "The patient's error alarm (null unless enable_alarms)."
  value       = one(aws_cloudwatch_metric_alarm.errors[*].arn)
}

output "alarm_event_rule_arn" {
  value = one(aws_cloudwatch_event_rule.alarm_state[*].arn)
}

output "alerts_api_destination_arn" {
  value = one(aws_cloudwatch_event_api_destination.doctor[*].arn)
}

output "alerts_dead_letter_queue_url" {
  description = "Alarm events EventBridge could not deliver to the doctor."
  value       = one(aws_sqs_queue.alerts_dlq[*].url)
}
