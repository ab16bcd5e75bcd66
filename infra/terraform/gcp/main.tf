locals {
  services = toset(concat([
    "aiplatform.googleapis.com",       # Gemini on Vertex AI
    "artifactregistry.googleapis.com", # the doctor image
    "iam.googleapis.com",              # the service account
    "iamcredentials.googleapis.com",   # ID tokens for the service account
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    ], var.enable_cloud_sql ? [
    "sqladmin.googleapis.com", # Cloud SQL, and the connector behind Cloud Run's Cloud SQL volume
  ] : []))

  aws_role_arn       = "arn:${var.aws_partition}:iam::${var.aws_account_id}:role/${var.aws_doctor_role_name}"
  allowed_log_groups = length(var.aws_allowed_log_groups) > 0 ? var.aws_allowed_log_groups : [var.aws_log_group_name]
  registry           = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.doctor.repository_id}"
  image              = "${local.registry}/cloud-doctor:${var.image_tag}"
  sa_member          = "serviceAccount:${google_service_account.doctor.email}"
}

resource "google_project_service" "enabled" {
  for_each           = local.services
  service            = each.value
  disable_on_destroy = false
}

# The doctor's identity on GCP, and through the AWS trust policy its identity on AWS: its numeric
# unique_id is the `sub` (and `azp`) of the ID tokens Cloud Run's metadata server signs for it.
resource "google_service_account" "doctor" {
  account_id   = var.service_account_id
  display_name = "Cloud Doctor"
  description  = "Runs the doctor on Cloud Run; calls Gemini on Vertex AI; assumes the doctor's AWS role with its ID token"
  depends_on   = [google_project_service.enabled]
}

resource "google_project_iam_member" "doctor_vertex" {
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = local.sa_member
}

# Docker images in Artifact Registry (Container Registry is shut down).
resource "google_artifact_registry_repository" "doctor" {
  location      = var.region
  repository_id = var.artifact_repository_id
  description   = "Cloud Doctor images"
  format        = "DOCKER"
  labels        = var.labels

  docker_config {
    immutable_tags = true
  }

  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.artifact_keep_images
    }
  }

  cleanup_policies {
    id     = "delete-untagged"
    action = "DELETE"
    condition {
      tag_state  = "UNTAGGED"
      older_than = "604800s" # 7 days
    }
  }

  depends_on = [google_project_service.enabled]
}
