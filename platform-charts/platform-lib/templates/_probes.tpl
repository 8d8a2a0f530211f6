{{/*
Native gRPC probes against the grpc.health.v1 service every server exposes. Istio rewrites them to
its agent, so they keep working under STRICT mTLS.
*/}}
{{- define "platform-lib.grpcProbes" -}}
startupProbe:
  grpc:
    port: {{ .Values.ports.grpc }}
  periodSeconds: 2
  failureThreshold: 60
readinessProbe:
  grpc:
    port: {{ .Values.ports.grpc }}
  periodSeconds: 5
  failureThreshold: 3
livenessProbe:
  grpc:
    port: {{ .Values.ports.grpc }}
  periodSeconds: 10
  failureThreshold: 3
{{- end -}}
