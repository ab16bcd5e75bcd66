output "service_url" {
  description = "The doctor's URL: POST <url>/analyze; Slack's request URL is <url>/slack/events; doctor_url of infra/terraform/aws (alarms POST to <url>/alerts/aws)."
  value       = google_cloud_run_v2_service.doctor.uri
}

output "service_account_email" {
  value = google_service_account.doctor.email
}

output "service_account_unique_id" {
  description = "google_service_account_unique_id of infra/terraform/aws: the ID token's sub and azp, which the AWS trust policy matches."
  value       = google_service_account.doctor.unique_id
}

output "token_audience" {
  description = "token_audience of infra/terraform/aws (accounts.google.com:oaud)."
  value       = var.token_audience
}

output "aws_role_arn" {
  description = "AWS_ROLE_ARN the service runs with: must equal doctor_role_arn of infra/terraform/aws."
  value       = local.aws_role_arn
}

output "artifact_registry" {
  description = "Push the doctor image here: docker push <registry>/cloud-doctor:<tag>."
  value       = local.registry
}

output "image" {
  value = local.image
}

output "cloud_sql_connection_name" {
  description = "PROJECT:REGION:INSTANCE of the history's Cloud SQL instance (null without enable_cloud_sql)."
  value       = one(google_sql_database_instance.history[*].connection_name)
}

output "database_url_secret" {
  description = "Secret Manager secret holding DOCTOR_DATABASE_URL (null without enable_cloud_sql)."
  value       = one(google_secret_manager_secret.database_url[*].secret_id)
}

output "targets_file" {
  description = "DOCTOR_TARGETS_FILE inside the container (null without targets_toml)."
  value       = local.targets_enabled ? local.targets_file : null
}

# The token itself is no output: its value never passes through this root (secrets.tf), so it is
# in none of its plans or state. The AWS root reads it from the secret (and does keep it in its
# own state, in the EventBridge connection: alarms.tf there):
#   TF_VAR_doctor_alert_token="$(gcloud secrets versions access latest \
#     --secret="$(terraform -chdir=infra/terraform/gcp output -raw alert_token_secret)")"
output "alert_token_secret" {
  description = "Secret Manager secret holding DOCTOR_ALERT_TOKEN (null without enable_alerts); its latest version is doctor_alert_token of infra/terraform/aws (pass it as TF_VAR_doctor_alert_token)."
  value       = var.enable_alerts ? google_secret_manager_secret.doctor["DOCTOR_ALERT_TOKEN"].secret_id : null
}
