# Secrets are created EMPTY: their values never pass through Terraform, so they are in no plan,
# no state file and no CI log. Add each value out of band, before the Cloud Run service is
# deployed (a revision referencing a secret without versions fails to start):
#   printf %s "$(openssl rand -hex 32)" | gcloud secrets versions add cloud-doctor-api-token --data-file=-
#   printf %s "$SLACK_BOT_TOKEN"        | gcloud secrets versions add cloud-doctor-slack-bot-token --data-file=-
#   printf %s "$SLACK_SIGNING_SECRET"   | gcloud secrets versions add cloud-doctor-slack-signing-secret --data-file=-
#   printf %s "$(openssl rand -hex 32)" | gcloud secrets versions add cloud-doctor-alert-token --data-file=-   # enable_alerts
# The alert token is also doctor_alert_token of infra/terraform/aws (outputs.tf: alert_token_secret).
# Rotation: add a new version; the next revision (or instance) reads "latest".
locals {
  # Environment variable => secret id.
  secrets = merge(
    { DOCTOR_API_TOKEN = "cloud-doctor-api-token" },
    var.enable_slack ? {
      SLACK_BOT_TOKEN      = "cloud-doctor-slack-bot-token"
      SLACK_SIGNING_SECRET = "cloud-doctor-slack-signing-secret"
    } : {},
    var.enable_alerts ? { DOCTOR_ALERT_TOKEN = "cloud-doctor-alert-token" } : {},
  )
}

resource "google_secret_manager_secret" "doctor" {
  for_each  = local.secrets
  secret_id = each.value
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

# Read access for the doctor's service account, one secret at a time (not project-wide).
resource "google_secret_manager_secret_iam_member" "doctor" {
  for_each  = google_secret_manager_secret.doctor
  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.sa_member
}
