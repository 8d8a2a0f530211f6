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


{{/*
HTTP probes of a server without gRPC (the web app): GET `path` on the named port, which must answer
without calling anything else, so a slow service never restarts the pods that only show it.
Call with (dict "port" <port name or number> "path" <path>).
*/}}
{{- define "platform-lib.httpProbes" -}}
startupProbe:
  httpGet:
    path: {{ .path }}
    port: {{ .port }}
  periodSeconds: 2
  failureThreshold: 60
readinessProbe:
  httpGet:
    path: {{ .path }}
    port: {{ .port }}
  periodSeconds: 5
  failureThreshold: 3
livenessProbe:
  httpGet:
    path: {{ .path }}
    port: {{ .port }}
  periodSeconds: 10
  failureThreshold: 3
{{- end -}}
