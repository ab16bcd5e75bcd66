# Optional DOCTOR_TARGETS_FILE: the AWS accounts the doctor reads, as TOML (see
# doctor-gcp/src/doctor/targets.py and the README's "Adding an AWS account"). Stored in Secret
# Manager and mounted as a file; the doctor reads it once, at start-up, so a change takes effect
# with the next revision (terraform apply creates one when the version changes).
# The TOML holds role ARNs, regions and log groups, no credentials; it is in the Terraform state.

locals {
  targets_enabled   = var.targets_toml != ""
  targets_dir       = "/etc/cloud-doctor"
  targets_file_name = "targets.toml"
  targets_file      = "${local.targets_dir}/${local.targets_file_name}"
}

resource "google_secret_manager_secret" "targets" {
  count     = local.targets_enabled ? 1 : 0
  secret_id = "${var.service_name}-targets"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "targets" {
  count       = local.targets_enabled ? 1 : 0
  secret      = google_secret_manager_secret.targets[0].id
  secret_data = var.targets_toml
}

resource "google_secret_manager_secret_iam_member" "targets" {
  count     = local.targets_enabled ? 1 : 0
  project   = var.project_id
  secret_id = google_secret_manager_secret.targets[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.sa_member
}
