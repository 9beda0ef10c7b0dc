# policy trainer (derived from workload trainer)
path "secret/data/models/*" {
  capabilities = ["read"]
}

path "secret/metadata/models/*" {
  capabilities = ["list"]
}

path "ssh/sign/training-environment" {
  capabilities = ["update"]
}

path "database/creds/readonly" {
  capabilities = ["read"]
}

path "aws/creds/deploy" {
  capabilities = ["read"]
}
