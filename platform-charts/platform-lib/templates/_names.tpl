{{/*
Names. A service chart is named after its service (ms-auth), and so are its Deployment, Service,
ServiceAccount and Kafka user, so that other charts can refer to them without knowing release names.
*/}}
{{- define "platform-lib.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The cluster-local DNS name of a Service in the release namespace: ms-auth.knowledge.svc.cluster.local */}}
{{- define "platform-lib.serviceHost" -}}
{{- printf "%s.%s.svc.cluster.local" .name .namespace -}}
{{- end -}}

{{/* The SPIFFE-style identity Istio gives a ServiceAccount: cluster.local/ns/<namespace>/sa/<name> */}}
{{- define "platform-lib.principal" -}}
{{- printf "%s/ns/%s/sa/%s" .trustDomain .namespace .serviceAccount -}}
{{- end -}}

{{/* Where the Auth service publishes its signing keys. Call with (dict "jwt" <jwt values> "namespace" <ns>). */}}
{{- define "platform-lib.jwksUri" -}}
{{- $host := include "platform-lib.serviceHost" (dict "name" .jwt.jwksService "namespace" .namespace) -}}
{{- printf "http://%s:%v%s" $host .jwt.jwksPort .jwt.jwksPath -}}
{{- end -}}
