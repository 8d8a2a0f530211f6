{{/*
Names and labels of one ClickHouse (an entry of .Values.instances), named after the service it serves
(ms-activity-clickhouse), so that the service's release can name it without knowing this release.
Call with (dict "root" $ "instance" $instance).
*/}}
{{- define "clickhouse.selectorLabels" -}}
app.kubernetes.io/name: {{ .instance.name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "clickhouse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "clickhouse.selectorLabels" . }}
app.kubernetes.io/component: activity-database
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
app.kubernetes.io/part-of: knowledge-platform
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Pod labels: no chart version, so a chart upgrade alone restarts no server; Istio's app and version. */}}
{{- define "clickhouse.podLabels" -}}
{{ include "clickhouse.selectorLabels" . }}
app.kubernetes.io/component: activity-database
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
app.kubernetes.io/part-of: knowledge-platform
app: {{ .instance.name }}
version: {{ .root.Values.image.tag | quote }}
{{- end -}}

{{/* Object metadata; (dict "root" $ "instance" $instance "name" "<name>"). */}}
{{- define "clickhouse.metadata" -}}
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "clickhouse.labels" . | nindent 4 }}
{{- end -}}

{{/* The ServiceAccount identity of a workload in this namespace, as Istio names it. */}}
{{- define "clickhouse.principal" -}}
{{- include "platform-lib.principal" (dict "trustDomain" .root.Values.mesh.trustDomain "namespace" .root.Release.Namespace "serviceAccount" .account) -}}
{{- end -}}
