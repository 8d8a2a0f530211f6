{{/* The standard app.kubernetes.io labels every object of the platform carries. */}}
{{- define "platform-lib.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "platform-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: knowledge-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The labels that select a chart's pods; they never change over a release's life. */}}
{{- define "platform-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels plus the pod labels Istio uses for telemetry (app, version). */}}
{{- define "platform-lib.podLabels" -}}
{{ include "platform-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: knowledge-platform
app: {{ include "platform-lib.name" . }}
version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/*
Standard object metadata: name, namespace, labels. Call with
(dict "root" $ "name" "<name>"), optionally with "namespace" (default: the release's) and
"labels" and "annotations" dicts to add.
*/}}
{{- define "platform-lib.metadata" -}}
metadata:
  name: {{ .name }}
  namespace: {{ .namespace | default .root.Release.Namespace }}
  labels:
    {{- include "platform-lib.labels" .root | nindent 4 }}
    {{- with .labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
