"""cloud-doctor: diagnoses an AWS workload from its CloudWatch logs, from outside AWS."""
