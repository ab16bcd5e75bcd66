locals {
  # Plain settings of the doctor (names: doctor.settings.Settings). Empty values are left out.
  plain_env = { for name, value in {
    AWS_ROLE_ARN              = local.aws_role_arn
    AWS_REGION                = var.aws_region
    AWS_LOG_GROUP_NAME        = var.aws_log_group_name
    DOCTOR_ALLOWED_LOG_GROUPS = join(",", local.allowed_log_groups)
    DOCTOR_TOKEN_AUDIENCE     = var.token_audience
    DOCTOR_ENGINE             = var.doctor_engine
    GCP_PROJECT_ID            = var.project_id
    GCP_LOCATION              = var.vertex_location
    GEMINI_MODEL              = var.gemini_model
    SLACK_CHANNEL             = var.slack_channel
  } : name => value if value != "" }
}

resource "google_cloud_run_v2_service" "doctor" {
  name                = var.service_name
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = var.deletion_protection
  labels              = var.labels

  template {
    service_account                  = google_service_account.doctor.email
    timeout                          = "300s"
    max_instance_request_concurrency = 20

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = local.image

      # Cloud Run sets PORT to this; `cloud-doctor serve` listens on $PORT on all interfaces.
      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        # CPU always allocated: a Slack command is acknowledged at once and the diagnosis is
        # posted afterwards, outside any request; with request-only CPU that work would stall.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.plain_env
        content {
          name  = env.key
          value = env.value
        }
      }

      # Secrets come from Secret Manager at instance start; the values are never in Terraform.
      dynamic "env" {
        for_each = local.secrets
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.doctor[env.key].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        timeout_seconds   = 1
        failure_threshold = 30
      }

      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  # The revision starts only once it may read its secrets and call Vertex AI.
  depends_on = [
    google_secret_manager_secret_iam_member.doctor,
    google_project_iam_member.doctor_vertex,
  ]
}

# Slack's servers must reach /slack/events and have no Google identity: see allow_unauthenticated.
resource "google_cloud_run_v2_service_iam_member" "public" {
  count    = var.allow_unauthenticated ? 1 : 0
  project  = var.project_id
  location = google_cloud_run_v2_service.doctor.location
  name     = google_cloud_run_v2_service.doctor.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
