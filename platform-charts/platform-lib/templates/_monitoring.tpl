{{/*
Whether a release renders Prometheus operator objects: `auto` when the cluster serves the kind
(Helm's .Capabilities; `helm template` without --api-versions does not), `always`, `never`.
*/}}
{{- define "platform-lib.monitoringEnabled" -}}
{{- $mode := .mode -}}
{{- if or (eq $mode "always") (and (eq $mode "auto") (.root.Capabilities.APIVersions.Has (printf "monitoring.coreos.com/v1/%s" .kind))) -}}
true
{{- end -}}
{{- end -}}

{{/*
The Prometheus operator's scrape of a service's pods: the service's metrics port (outside the
sidecar, see the Deployment) and the sidecar's Envoy statistics.
*/}}
{{- define "platform-lib.service.podMonitor" -}}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  podMetricsEndpoints:
    - port: metrics
      path: /metrics
      interval: 30s
    - port: http-envoy-prom
      path: /stats/prometheus
      interval: 30s
{{- end -}}
