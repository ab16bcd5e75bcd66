terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Local state by default. For a team, keep it in a GCS bucket, e.g.
  #   backend "gcs" { bucket = "…" prefix = "cloud-doctor/gcp" }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
