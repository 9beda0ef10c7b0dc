# policy w (derived from workload w)
path "ssh/creds/otp" {
  capabilities = ["update"]
}
